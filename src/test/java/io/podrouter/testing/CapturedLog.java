package io.podrouter.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What one class logs while this is open: its lines are kept, in order, until it is closed. */
public final class CapturedLog implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    private CapturedLog(Class<?> source) {
        logger = (Logger) LoggerFactory.getLogger(source);
        lines.start();
        logger.addAppender(lines);
    }

    /** Starts keeping what {@code source} logs. */
    public static CapturedLog of(Class<?> source) {
        return new CapturedLog(source);
    }

    /** The lines logged so far (a live list: it grows while this is open). */
    public List<ILoggingEvent> events() {
        return lines.list;
    }

    @Override
    public void close() {
        logger.detachAppender(lines);
    }
}
