package io.podrouter;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.podrouter.testing.CapturedLog;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The warm-up's private router really serves, and leaves nothing running behind it. */
class JitWarmUpTest {
    @Test
    void thePrivateRouterAnswersRequestsAndIsGoneAfterwards() {
        long answered = JitWarmUp.run(Duration.ofMillis(500));
        assertThat(answered).isPositive();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive() && t.getName().startsWith("podrouter-warmup"));
    }

    @Test
    void itsGarbageIsCollectedBeforeTheRealRouterStarts() {
        try (CapturedLog log = CapturedLog.of(JitWarmUp.class)) {
            JitWarmUp.run(Duration.ofMillis(500));
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).startsWith("JIT warm-up: ")
                            .containsPattern("its garbage collected: heap \\d+ -> \\d+ MiB in \\d+ ms"));
        }
    }

    @Test
    void zeroMeansNoWarmUp() {
        assertThat(JitWarmUp.run(Duration.ZERO)).isZero();
    }
}
