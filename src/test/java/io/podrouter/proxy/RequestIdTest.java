package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * X-Request-Id: made by the router unless a trusted proxy sent a sane one, and the same id
 * reaches the pod, the client and the access log. Trace context passes through untouched.
 */
class RequestIdTest {
    private static final String HEX_128_BITS = "[0-9a-f]{32}";

    static TestBackend backend;
    /** trusts nobody; text access log */
    static Podrouter router;
    static Path routerLog;
    /** trusts 127.0.0.0/8, so every test client; JSON access log */
    static Podrouter trusting;
    static Path trustingLog;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        backend = new TestBackend("pod0");
        Path plain = Files.createDirectory(dir.resolve("plain"));
        routerLog = plain.resolve("access.log");
        router = new RouterFixture(plain).pod("pod0", backend).route("tenant.example.com", "pod0")
                .yaml("access-log: { path: access.log }\n").start();
        Path trust = Files.createDirectory(dir.resolve("trusting"));
        trustingLog = trust.resolve("access.log");
        trusting = new RouterFixture(trust).pod("pod0", backend).route("tenant.example.com", "pod0")
                .yaml("trusted-proxies: [127.0.0.0/8]\naccess-log: { path: access.log, format: json }\n").start();
    }

    @AfterAll
    static void stop() {
        router.close();
        trusting.close();
        backend.close();
    }

    @Test
    void anIdIsMadeWhenTheRequestHasNoneAndTheSameIdReachesThePodTheClientAndTheAccessLog() throws Exception {
        Seen seen = send(router, "GET /headers?absent HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n");
        assertThat(seen.atPod()).matches(HEX_128_BITS);
        assertThat(seen.atClient()).isEqualTo(seen.atPod());
        String line = logLine(routerLog, "/headers?absent");
        assertThat(line).endsWith(" request_id=" + seen.atPod());
    }

    @Test
    void anUntrustedClientsIdIsReplaced() throws Exception {
        Seen seen = send(router, "GET /headers?spoofed HTTP/1.1\r\nHost: tenant.example.com\r\nX-Request-Id: chosen-by-client\r\n\r\n");
        assertThat(seen.atPod()).matches(HEX_128_BITS);
        assertThat(seen.atClient()).isEqualTo(seen.atPod());
        assertThat(logLine(routerLog, "/headers?spoofed")).endsWith(" request_id=" + seen.atPod());
    }

    @Test
    void aTrustedProxysIdIsKeptAndLoggedInJson() throws Exception {
        String id = "edge-7f3a/2026-12-01T23:59:59Z#42";
        Seen seen = send(trusting, "GET /headers?kept HTTP/1.1\r\nHost: tenant.example.com\r\nX-Request-Id: " + id + "\r\n\r\n");
        assertThat(seen.atPod()).isEqualTo(id);
        assertThat(seen.atClient()).isEqualTo(id);
        assertThat(logLine(trustingLog, "/headers?kept")).endsWith(",\"request_id\":\"" + id + "\"}");
    }

    @Test
    void aTrustedProxysIdThatIsTooLongOrHasSpacesIsReplaced() throws Exception {
        for (String bad : List.of("a".repeat(RequestId.MAX_LENGTH + 1), "two words")) {
            Seen seen = send(trusting, "GET /headers HTTP/1.1\r\nHost: tenant.example.com\r\nX-Request-Id: " + bad + "\r\n\r\n");
            assertThat(seen.atPod()).matches(HEX_128_BITS);
            assertThat(seen.atClient()).isEqualTo(seen.atPod());
        }
        Seen longest = send(trusting, "GET /headers HTTP/1.1\r\nHost: tenant.example.com\r\nX-Request-Id: "
                + "b".repeat(RequestId.MAX_LENGTH) + "\r\n\r\n");
        assertThat(longest.atPod()).isEqualTo("b".repeat(RequestId.MAX_LENGTH));
    }

    @Test
    void traceContextReachesThePodUnchanged() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String tracestate = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
        for (Podrouter via : List.of(router, trusting)) {
            try (RawHttp http = new RawHttp(via.port())) {
                RawHttp.Response r = http.send("GET /headers HTTP/1.1\r\nHost: tenant.example.com\r\ntraceparent: " + traceparent
                        + "\r\ntracestate: " + tracestate + "\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(header(r.body(), "traceparent")).isEqualTo(traceparent);
                assertThat(header(r.body(), "tracestate")).isEqualTo(tracestate);
            }
        }
    }

    @Test
    void theRoutersOwnAnswerCarriesAnIdThatIsAlsoLogged() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET /nobody HTTP/1.1\r\nHost: unknown.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            String id = r.header("x-request-id");
            assertThat(id).matches(HEX_128_BITS);
            assertThat(logLine(routerLog, "/nobody")).endsWith(" request_id=" + id);
        }
    }

    @Test
    void madeIdsAreUniqueAndSane() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = RequestId.generate();
            assertThat(RequestId.isSane(id)).isTrue();
            ids.add(id);
        }
        assertThat(ids).hasSize(100_000);
        assertThat(RequestId.isSane("")).isFalse();
        assertThat(RequestId.isSane("caf\u00e9")).isFalse();
        assertThat(RequestId.isSane("tab\there")).isFalse();
    }

    private record Seen(String atPod, String atClient) {
    }

    private static Seen send(Podrouter via, String request) throws IOException {
        try (RawHttp http = new RawHttp(via.port())) {
            RawHttp.Response r = http.send(request).read();
            assertThat(r.status()).isEqualTo(200);
            return new Seen(header(r.body(), "x-request-id"), r.header("x-request-id"));
        }
    }

    /** The value of a header in TestBackend's /headers answer; fails if it is there more than once. */
    private static String header(String headersSeen, String name) {
        String found = null;
        for (String l : headersSeen.split("\n")) {
            if (l.startsWith(name + ": ")) {
                assertThat(found).as("one " + name).isNull();
                found = l.substring(name.length() + 2);
            }
        }
        return found;
    }

    /** The one access log line for a request whose target contains {@code uri}, once it has been written. */
    private static String logLine(Path log, String uri) {
        String[] found = new String[1];
        Poll.until("an access log line for " + uri, () -> {
            try {
                if (!Files.exists(log)) {
                    return false;
                }
                for (String l : Files.readAllLines(log)) {
                    if (l.contains(uri + " ") || l.contains(uri + "\"")) {
                        found[0] = l;
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return found[0];
    }
}
