package io.podrouter;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.podrouter.testing.CapturedLog;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void itsClientsComeAndGoSoThatClosingConnectionsIsCompiledToo() {
        try (CapturedLog log = CapturedLog.of(JitWarmUp.class)) {
            JitWarmUp.run(Duration.ofSeconds(2), io.podrouter.listener.Transport.best(), 10);
            String line = log.events().stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(l -> l.startsWith("JIT warm-up: ")).findFirst().orElseThrow();
            Matcher m = Pattern.compile("(\\d+) requests on (\\d+) connections").matcher(line);
            assertThat(m.find()).as(line).isTrue();
            long requests = Long.parseLong(m.group(1));
            long connections = Long.parseLong(m.group(2));
            // 32 at once, each replaced after 10 requests here: at least (requests - 32 * 9) / 10 replaced.
            assertThat(requests).as(line).isGreaterThan(32 * 10);
            assertThat(connections).as(line).isGreaterThanOrEqualTo(32 + (requests - 32 * 9) / 10);
        }
    }

    @Test
    void zeroMeansNoWarmUp() {
        assertThat(JitWarmUp.run(Duration.ZERO)).isZero();
    }
}
