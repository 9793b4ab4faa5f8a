package io.podrouter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podrouter.testing.ChildRouter;
import io.podrouter.testing.ProcessLines;
import io.podrouter.testing.RawHttp;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logging.format: json}: a real {@code podrouter run} process writes only JSON objects to
 * stdout, one per line: at start, while it serves (its own lines and a JSON access log) and when it stops.
 */
class JsonLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on \\[/127\\.0\\.0\\.1:(\\d+)");

    @Test
    void everyLineTheRouterWritesToStdoutIsAJsonObject(@TempDir Path dir) throws Exception {
        Path config = ChildRouter.config(dir, "127.0.0.1:9", """
                logging: { format: json }
                access-log: { format: json }
                """);
        String java = ChildRouter.java();
        Process router = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.podrouter.Main",
                "run", "-c", config.toString(), "--jit-warm-up", "1s").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ProcessLines stdout = new ProcessLines(router);
        try {
            int port = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<JsonNode> lines = new java.util.ArrayList<>();
            while (port < 0) {
                String line = stdout.next(deadline);
                assertThat(line).as("a start-up line within 30 s (lines so far: " + lines + ")").isNotNull();
                JsonNode node = parse(line);
                lines.add(node);
                Matcher m = LISTENING.matcher(node.path("formattedMessage").asText());
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertThat(lines).allSatisfy(n -> {
                assertThat(n.path("level").asText()).isNotEmpty();
                assertThat(n.path("loggerName").asText()).isNotEmpty();
                assertThat(n.path("formattedMessage").isTextual()).isTrue();
            });
            try (RawHttp http = new RawHttp(port)) {
                assertThat(http.send("GET / HTTP/1.1\r\nHost: unknown.example.com\r\n\r\n").read().status()).isEqualTo(404);
            }
            List<String> rest = new java.util.ArrayList<>();
            // The access log line is written last (by its own thread, in batches): once it is out, stop.
            while (rest.stream().noneMatch(l -> l.contains("\"status\":404"))) {
                String line = stdout.next(deadline);
                assertThat(line).as("the access log line within 30 s (lines so far: " + rest + ")").isNotNull();
                rest.add(line);
            }
            router.destroy();
            assertThat(router.waitFor(30, TimeUnit.SECONDS)).isTrue();
            stdout.drainTo(rest, TimeUnit.SECONDS.toMillis(10));
            rest.forEach(JsonLogTest::parse);
            // The 404's log line and its access log line came out as JSON too, and what it wrote when stopping.
            assertThat(rest).anySatisfy(l -> assertThat(l).contains("no route for this host"));
            assertThat(rest).anySatisfy(l -> assertThat(l).contains("\"status\":404"));
        } finally {
            router.destroyForcibly();
        }
    }

    private static JsonNode parse(String line) {
        JsonNode[] node = new JsonNode[1];
        assertThatCode(() -> node[0] = JSON.readTree(line)).as("JSON: " + line).doesNotThrowAnyException();
        assertThat(node[0].isObject()).as("a JSON object: " + line).isTrue();
        return node[0];
    }
}
