package io.podrouter.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** What bin/jvm.sh (the launcher's choice of java and JVM flags) sets, as a shell sees it from the project's root. */
public final class LauncherShell {
    private LauncherShell() {
    }

    /** Sources bin/jvm.sh and runs {@code command} after it (its variables: podrouter_java, podrouter_java_opts); returns its output, trimmed. */
    public static String after(String command) throws IOException, InterruptedException {
        Process sh = new ProcessBuilder("sh", "-c", ". bin/jvm.sh && " + command)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(sh.waitFor()).as("bin/jvm.sh, then %s", command).isZero();
        return out;
    }
}
