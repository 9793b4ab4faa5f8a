package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.RawBackend;
import io.podrouter.testing.RawBackend.Reply;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the server sees of a request's headers: no hop-by-hop headers, and X-Forwarded-* set by the
 * router (replacing a client's, unless the client is a trusted proxy, whose are extended or kept).
 * The server is TestBackend's {@code /headers}, which answers the head it received.
 */
class HeaderRewriteTest {
    private static final String[] HOP_BY_HOP = {
            "connection", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection"};

    static TestBackend backend;
    /** trusts nobody */
    static Podrouter router;
    /** trusts 127.0.0.0/8, so every test client */
    static Podrouter trusting;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        backend = new TestBackend("pod0");
        router = new RouterFixture(Files.createDirectory(dir.resolve("plain"))).pod("pod0", backend)
                .route("tenant.example.com", "pod0").start();
        trusting = new RouterFixture(Files.createDirectory(dir.resolve("trusting"))).pod("pod0", backend)
                .route("tenant.example.com", "pod0").yaml("trusted-proxies: [127.0.0.0/8]\n").start();
    }

    @AfterAll
    static void stop() {
        router.close();
        trusting.close();
        backend.close();
    }

    @Test
    void hopByHopHeadersAndTheHeadersConnectionNamesAreNotForwarded() throws Exception {
        List<String> seen = headersSeen(router, "Connection: keep-alive, X-Secret, x-other\r\n"
                + "X-Secret: s\r\nX-Other: o\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: X-T\r\n"
                + "Upgrade: h2c\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nProxy-Connection: keep-alive\r\n"
                + "X-Kept: yes\r\n");
        assertThat(names(seen)).doesNotContain(HOP_BY_HOP).doesNotContain("x-secret", "x-other");
        assertThat(values(seen, "x-kept")).containsExactly("yes");
        assertThat(values(seen, "host")).containsExactly("tenant.example.com");
    }

    @Test
    void headersNamedInASecondConnectionLineAreNotForwardedEither() throws Exception {
        List<String> seen = headersSeen(router, "Connection: keep-alive\r\nConnection: X-Secret\r\n"
                + "X-Secret: s\r\nX-Kept: yes\r\n");
        assertThat(names(seen)).doesNotContain("connection", "x-secret");
        assertThat(values(seen, "x-kept")).containsExactly("yes");
    }

    @Test
    void framingHeadersNamedInConnectionAreStillForwarded() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("POST /headers HTTP/1.1\r\nHost: tenant.example.com\r\n"
                    + "Connection: Content-Length, Host\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(r.status()).isEqualTo(200);
            List<String> seen = List.of(r.body().split("\n"));
            assertThat(values(seen, "content-length")).containsExactly("5");
            assertThat(values(seen, "host")).containsExactly("tenant.example.com");
        }
    }

    @Test
    void xForwardedHeadersAreSetByTheRouterReplacingTheClients() throws Exception {
        List<String> seen = headersSeen(router, "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 198.51.100.2\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example.com\r\n");
        assertThat(values(seen, "x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(values(seen, "x-forwarded-proto")).containsExactly("http");
        assertThat(values(seen, "x-forwarded-host")).containsExactly("tenant.example.com");
    }

    @Test
    void xForwardedHostIsTheHostAsTheClientSentIt() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            List<String> seen = List.of(http.send("GET /headers HTTP/1.1\r\nHost: Tenant.Example.COM:8080\r\n\r\n")
                    .read().body().split("\n"));
            assertThat(values(seen, "x-forwarded-host")).containsExactly("Tenant.Example.COM:8080");
            assertThat(values(seen, "x-forwarded-for")).containsExactly("127.0.0.1");
            assertThat(values(seen, "x-forwarded-proto")).containsExactly("http");
            // An absolute-form target names the host instead of the Host header.
            seen = List.of(http.send("GET http://tenant.example.com:81/headers HTTP/1.1\r\nHost: other.example.com\r\n\r\n")
                    .read().body().split("\n"));
            assertThat(values(seen, "x-forwarded-host")).containsExactly("tenant.example.com:81");
        }
    }

    @Test
    void aTrustedProxysXForwardedForIsExtendedAndItsProtoAndHostKept() throws Exception {
        List<String> seen = headersSeen(trusting, "X-Forwarded-For: 203.0.113.7\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: www.example.com\r\n");
        assertThat(values(seen, "x-forwarded-for")).containsExactly("203.0.113.7, 127.0.0.1");
        assertThat(values(seen, "x-forwarded-proto")).containsExactly("https");
        assertThat(values(seen, "x-forwarded-host")).containsExactly("www.example.com");
    }

    @Test
    void aTrustedProxysXForwardedForOnSeveralLinesIsExtendedWhole() throws Exception {
        List<String> seen = headersSeen(trusting, "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 198.51.100.2, 192.0.2.9\r\n");
        assertThat(values(seen, "x-forwarded-for")).containsExactly("203.0.113.7, 198.51.100.2, 192.0.2.9, 127.0.0.1");
    }

    @Test
    void aTrustedProxyThatSentNoForwardedHeadersGetsTheRoutersOwn() throws Exception {
        List<String> seen = headersSeen(trusting, "");
        assertThat(values(seen, "x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(values(seen, "x-forwarded-proto")).containsExactly("http");
        assertThat(values(seen, "x-forwarded-host")).containsExactly("tenant.example.com");
    }

    @Test
    void hopByHopHeadersOfAResponseAreNotForwardedToTheClient(@TempDir Path dir) throws Exception {
        String response = "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Authenticate: Basic\r\nTrailer: X-T\r\nUpgrade: h2c\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok";
        try (RawBackend raw = new RawBackend(path -> Reply.send(response));
             Podrouter own = new RouterFixture(dir).pod("raw", raw.address())
                     .route("raw.example.com", "raw").start();
             RawHttp http = new RawHttp(own.port())) {
            RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: raw.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok");
            List<String> seen = List.of(r.head().split("\n"));
            assertThat(names(seen)).doesNotContain(HOP_BY_HOP).doesNotContain("x-secret", "proxy-authenticate");
            assertThat(values(seen, "x-kept")).containsExactly("yes");
        }
    }

    /** Sends a GET /headers with the given extra header lines and returns the lines of the head the server got. */
    private static List<String> headersSeen(Podrouter via, String extraHeaders) throws Exception {
        try (RawHttp http = new RawHttp(via.port())) {
            RawHttp.Response r = http.send("GET /headers HTTP/1.1\r\nHost: tenant.example.com\r\n" + extraHeaders + "\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            List<String> lines = List.of(r.body().split("\n"));
            assertThat(lines.get(0)).isEqualTo("GET /headers HTTP/1.1");
            // The connection stays usable: the rewriting did not disturb the client side.
            assertThat(http.send("GET /after HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read().status()).isEqualTo(200);
            return lines.subList(1, lines.size());
        }
    }

    private static List<String> names(List<String> headerLines) {
        List<String> names = new ArrayList<>();
        for (String l : headerLines) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                names.add(l.substring(0, colon).toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static List<String> values(List<String> headerLines, String name) {
        List<String> values = new ArrayList<>();
        for (String l : headerLines) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).equalsIgnoreCase(name)) {
                values.add(l.substring(colon + 1).trim());
            }
        }
        return values;
    }
}
