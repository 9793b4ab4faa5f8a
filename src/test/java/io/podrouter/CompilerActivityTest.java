package io.podrouter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Quiet means a whole window with the compilers under 5% busy; a short lull is not quiet. */
class CompilerActivityTest {
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong compiledMillis = new AtomicLong();
    private final CompilerActivity compilers = new CompilerActivity(Duration.ofSeconds(2), compiledMillis::get, nanos::get);

    private boolean after(long millis, long compiling) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
        compiledMillis.addAndGet(compiling);
        return compilers.quiet();
    }

    @Test
    void busyCompilersAreNotQuiet() {
        for (int i = 0; i < 20; i++) {
            assertThat(after(250, 150)).isFalse();
        }
        assertThat(compilers.wentQuiet()).isFalse();
    }

    @Test
    void aLullShorterThanTheWindowIsNotQuiet() {
        for (int i = 0; i < 8; i++) {
            after(250, 200);
        }
        assertThat(after(250, 0)).isFalse();
        assertThat(after(250, 0)).isFalse();
        assertThat(after(250, 200)).isFalse();
    }

    @Test
    void aWholeWindowUnderFivePercentIsQuiet() {
        for (int i = 0; i < 8; i++) {
            after(250, 200);
        }
        boolean quiet = false;
        int samples = 0;
        while (!quiet && samples < 20) {
            quiet = after(250, 5);
            samples++;
        }
        assertThat(quiet).isTrue();
        // A window of 2 s at 250 ms a sample: the busy samples must all have left it.
        assertThat(samples).isEqualTo(8);
        assertThat(compilers.wentQuiet()).isTrue();
    }

    @Test
    void aJvmThatDoesNotReportCompilationIsNeverQuiet() {
        CompilerActivity blind = new CompilerActivity(Duration.ofSeconds(2), null, nanos::get);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertThat(blind.quiet()).isFalse();
        assertThat(blind.measurable()).isFalse();
    }
}
