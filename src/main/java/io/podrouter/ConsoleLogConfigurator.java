package io.podrouter;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * podrouter's logging configuration, set up in code through logback's {@link Configurator} service
 * (registered in {@code META-INF/services}) rather than read from a logback.xml: reading XML loads
 * logback's configuration model and the JDK's XML parser, some 550 classes that stay loaded for
 * the life of the process. Without them podrouter is 5 MiB smaller resident right after start
 * (100 MiB instead of 105; bench/RESULTS.md), against a budget of 128 MiB at the hot load.
 *
 * <p>The same as the XML it replaces: one console appender ({@value LogFormat#APPENDER}) with an
 * ISO-8601 timestamp, the root at {@code PODROUTER_LOG_LEVEL} (INFO by default), and the libraries'
 * chatter cut to warnings. A logback configuration of the operator's own still wins: with
 * {@code -Dlogback.configurationFile=...}, or a logback-test.xml or logback.xml on the class path
 * (the tests have one), this configurator steps aside and logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ConsoleLogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n";
    static final String LEVEL_VARIABLE = "PODROUTER_LOG_LEVEL";

    /** Libraries' loggers and the level they are cut to. */
    static final Map<String, Level> QUIETER = Map.of(
            "io.netty", Level.WARN,
            "io.lettuce", Level.WARN,
            // Lettuce warns for every client it creates that both Netty native transports load and
            // it takes epoll: nothing is wrong, and podrouter's own line names its transport.
            "io.lettuce.core.resource.Transports", Level.ERROR);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (anotherConfigurationGiven()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configure(context, System.getenv(LEVEL_VARIABLE));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Sets up {@code context}; {@code rootLevel} is a level's name, INFO when null or not one. */
    static void configure(LoggerContext context, String rootLevel) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(LogFormat.APPENDER);
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(rootLevel, Level.INFO));
        root.addAppender(console);
        QUIETER.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }

    private static boolean anotherConfigurationGiven() {
        if (System.getProperty("logback.configurationFile") != null) {
            return true;
        }
        ClassLoader loader = ConsoleLogConfigurator.class.getClassLoader();
        return loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
    }
}
