package io.podrouter;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.testing.LauncherShell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * bin/jvm.sh's java and flags (the newest JDK installed, as bin/podrouter and the Debian package
 * run it): the JVM takes every flag, Netty's native transport loads without a warning, and Netty
 * has sun.misc.Unsafe (which it leaves alone on JDK 25 and later unless told to use it).
 */
class LauncherFlagsTest {
    @Test
    void theLaunchersJvmTakesItsFlagsWarnsOfNothingAndGivesNettyUnsafe() throws Exception {
        List<String> launcher = launcher();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LauncherFlagsProbe.class.getName()));
        Process child = new ProcessBuilder(command).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the probe finished").isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("%s: %s", launcher, err).isZero();
        assertThat(err).as("%s", launcher).doesNotContain("WARNING");
        assertThat(out).as("%s", launcher).contains("unsafe true");
    }

    /** {@code $podrouter_java $podrouter_java_opts}, as bin/jvm.sh sets them. */
    private static List<String> launcher() throws IOException, InterruptedException {
        return Arrays.asList(LauncherShell.after("echo \"$podrouter_java $podrouter_java_opts\"").split("\\s+"));
    }
}
