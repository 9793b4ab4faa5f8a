package io.podrouter.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.FakeDirectory;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the access log says: the routing key a request was routed by, and when the request arrived. */
class AccessLogTest {
    @TempDir
    Path dir;
    TestBackend pod0;
    FakeDirectory directory;
    Podrouter router;

    @BeforeEach
    void start() throws Exception {
        pod0 = new TestBackend("pod0");
        directory = new FakeDirectory();
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        pod0.close();
        directory.close();
    }

    private Path log() {
        return dir.resolve("access.log");
    }

    private List<String> lines() {
        try {
            return Files.exists(log()) ? Files.readAllLines(log()) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log line of the request for {@code path}, once it is written. */
    private String lineFor(String path) {
        Poll.until("the access log line for " + path, () -> lines().stream().anyMatch(l -> l.contains(" " + path + " ")));
        return lines().stream().filter(l -> l.contains(" " + path + " ")).findFirst().orElseThrow();
    }

    private static String get(String path, String host, String tenant) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + (tenant == null ? "" : "X-Tenant: " + tenant + "\r\n")
                + "\r\n";
    }

    @Test
    void underRoutingByHeaderTheKeyLoggedIsTheHeadersValueNotTheHost() throws Exception {
        router = new RouterFixture(dir).pod("pod0", pod0).route("acme", "pod0").routing("key: header:X-Tenant")
                .yaml("access-log: { path: access.log }\n").start();
        try (RawHttp http = new RawHttp(router.port())) {
            assertThat(http.send(get("/routed", "www.example.com", "ACME")).read().status()).isEqualTo(200);
            assertThat(http.send(get("/unknown", "www.example.com", "nobody")).read().status()).isEqualTo(404);
            assertThat(http.send(get("/none", "www.example.com", null)).read().status()).isEqualTo(404);
        }
        assertThat(lineFor("/routed")).contains(" 200 ").contains(" key=acme backend=pod0 ");
        assertThat(lineFor("/unknown")).contains(" 404 ").contains(" key=nobody backend=- ");
        assertThat(lineFor("/none")).contains(" 404 ").contains(" key=- backend=- ");
    }

    @Test
    void aRequestRefusedAfterASlowLookupIsLoggedAtItsArrivalNotAtItsRefusal() throws Exception {
        directory.delay(1500); // every answer comes 1.5 s late; "not a tenant" then refuses the request
        router = new RouterFixture(dir).pod("pod0", pod0)
                .routing("directory: { url: \"" + directory.url() + "\", timeout: 5s }")
                .yaml("access-log: { path: access.log }\n").start();
        Instant before = Instant.now();
        try (RawHttp http = new RawHttp(router.port())) {
            assertThat(http.send(get("/slow", "stranger.example.com", null)).read().status()).isEqualTo(404);
        }
        Instant after = Instant.now();
        assertThat(java.time.Duration.between(before, after)).isGreaterThanOrEqualTo(java.time.Duration.ofMillis(1500));
        String line = lineFor("/slow");
        assertThat(line).contains(" key=stranger.example.com ").contains(" route=miss ");
        String time = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
        Instant logged = ZonedDateTime.parse(time, DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS Z", Locale.ROOT)).toInstant();
        // The arrival, a moment after the request was sent; the refusal came 1.5 s later.
        assertThat(logged).isBetween(before.minusMillis(5), before.plusMillis(1000));
        assertThat(logged).isBefore(after.minusMillis(1000));
    }
}
