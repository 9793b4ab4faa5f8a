package io.podrouter.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.config.AccessLogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread: what it does with a line it cannot format, and what closing writes. */
class AccessLogWriterTest {
    @TempDir
    Path dir;

    private static AccessRecord record(String client, String uri) {
        return new AccessRecord(0, client, "GET", uri, "HTTP/1.1", "acme.example.com", "pod0", "127.0.0.1:19101", 200, 2,
                "hit", -1, 0, 0, 0, 0, "id");
    }

    @Test
    void aLineThatCannotBeFormattedIsSkippedAndTheLinesAfterItAreWritten() throws Exception {
        Path file = dir.resolve("access.log");
        AccessLog log = new AccessLog(new AccessLogConfig(true, false, file, 1024, Duration.ofSeconds(60)));
        log.add(record(null, "/broken")); // no client: the text format fails on it
        log.add(record("127.0.0.1", "/after"));
        log.close(); // writes what is queued, though the flush interval has not passed
        assertThat(Files.readAllLines(file)).singleElement().satisfies(line -> assertThat(line).contains(" /after "));
    }
}
