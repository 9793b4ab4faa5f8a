package io.podrouter;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Logger logger = (Logger) LoggerFactory.getLogger(JitWarmUp.class);
        logger.addAppender(lines);
        try {
            JitWarmUp.run(Duration.ofMillis(500));
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).startsWith("JIT warm-up: ")
                        .containsPattern("its garbage collected: heap \\d+ -> \\d+ MiB in \\d+ ms"));
    }

    @Test
    void zeroMeansNoWarmUp() {
        assertThat(JitWarmUp.run(Duration.ZERO)).isZero();
    }
}
