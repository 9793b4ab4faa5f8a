package io.podrouter;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import io.podrouter.config.LoggingConfig;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches podrouter's own log lines to {@code logging.format}. {@link ConsoleLogConfigurator}
 * writes text; for {@code json} the console appender is replaced, once at start, by one with
 * logback's JSON encoder: one object per line, with the message already formatted (a log shipper
 * cannot fill in {@code {}} placeholders).
 */
final class LogFormat {
    /** The console appender's name, as {@link ConsoleLogConfigurator} sets it up. */
    static final String APPENDER = "STDOUT";

    private LogFormat() {
    }

    static void use(LoggingConfig logging) {
        if (!logging.json()) {
            return;
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return; // another SLF4J binding: its own configuration decides
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setContext(context);
        json.setName(APPENDER + "-json");
        json.setEncoder(encoder);
        json.start();
        // The new appender first, so that no line logged meanwhile is lost.
        root.addAppender(json);
        Appender<ILoggingEvent> text = root.getAppender(APPENDER);
        if (text != null) {
            root.detachAppender(text);
            text.stop();
        }
    }
}
