package io.podrouter;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import io.podrouter.testing.ChildRouter;
import io.podrouter.testing.ProcessLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** podrouter's logging set up in code: what it sets, that it is found, and that it steps aside. */
class ConsoleLogConfiguratorTest {
    private static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)";

    @Test
    void setsUpOneConsoleAppenderTheRootLevelAndQuieterLibraries() {
        LoggerContext context = new LoggerContext();
        ConsoleLogConfigurator.configure(context, "debug");
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
        assertThat(root.getAppender(LogFormat.APPENDER)).isNotNull().satisfies(a -> assertThat(a.isStarted()).isTrue());
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.lettuce.core.resource.Transports").getLevel()).isEqualTo(Level.ERROR);
        assertThat(context.getLogger("io.podrouter").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        context.stop();
    }

    @Test
    void theRootIsAtInfoWithoutALevelOrWithOneThatIsNotALevel() {
        for (String level : new String[] {null, "", "loud"}) {
            LoggerContext context = new LoggerContext();
            ConsoleLogConfigurator.configure(context, level);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).as(String.valueOf(level)).isEqualTo(Level.INFO);
            context.stop();
        }
    }

    @Test
    void logbackFindsItAndItStepsAsideForALogbackFileOnTheClassPath() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(p -> p.type().getName()))
                .contains(ConsoleLogConfigurator.class.getName());
        // The tests' logback-test.xml is on this class path: that file is read, not ours.
        LoggerContext context = new LoggerContext();
        ConsoleLogConfigurator configurator = new ConsoleLogConfigurator();
        configurator.setContext(context);
        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        context.stop();
    }

    /**
     * A real {@code podrouter run} on the main class path only (no logback-test.xml): its lines
     * come in podrouter's format, and logback's XML configuration and the JDK's XML parser are never
     * loaded (what this configurator is for).
     */
    @Test
    void theRouterLogsInItsFormatWithoutLoadingAnXmlParser(@TempDir Path dir) throws Exception {
        Path config = ChildRouter.config(dir, "127.0.0.1:9", """
                access-log: { enabled: false }
                """);
        String mainClassPath = ChildRouter.mainClassPath();
        Path classes = dir.resolve("classes.txt");
        String java = ChildRouter.java();
        Process router = new ProcessBuilder(java, "-Xlog:class+load=info:file=" + classes, "-cp", mainClassPath,
                "io.podrouter.Main", "run", "-c", config.toString(), "--jit-warm-up", "0s")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ProcessLines stdout = new ProcessLines(router);
        try {
            List<String> lines = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lines.stream().noneMatch(l -> l.contains("started"))) {
                String line = stdout.next(deadline);
                assertThat(line).as("a start-up line within 30 s (lines so far: " + lines + ")").isNotNull();
                lines.add(line);
            }
            assertThat(lines).allSatisfy(l -> assertThat(l).matches(TIMESTAMP + " (TRACE|DEBUG|INFO |WARN |ERROR) \\[[^]]+\\] \\w+ - .*"));
            assertThat(lines).anySatisfy(l -> assertThat(l).matches(TIMESTAMP + " INFO  \\[main\\] Podrouter - podrouter .* started: .*"));
            // (A few of Joran's classes are named by the ones podrouter uses, and load; its configurator,
            // model and the XML parser do not.)
            assertThat(Files.readAllLines(classes)).noneMatch(l -> l.contains(" ch.qos.logback.classic.joran.JoranConfigurator "))
                    .noneMatch(l -> l.contains(" ch.qos.logback.core.model."))
                    .noneMatch(l -> l.contains(" com.sun.org.apache.xerces."))
                    .anyMatch(l -> l.contains(" io.podrouter.ConsoleLogConfigurator "));
        } finally {
            router.destroyForcibly();
            router.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
