package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests the router must refuse itself: each gets its status with a one-line text body, the
 * connection closes when the request's framing cannot be trusted, and nothing reaches the server.
 */
class MalformedRequestTest {
    private static final String HOST = "Host: tenant.example.com\r\n";
    /** A request the router answers itself (no route), to show a connection is still usable. */
    private static final String UNROUTED = "GET /next HTTP/1.1\r\nHost: unmapped.example.com\r\n\r\n";

    static TestBackend backend;
    static Podrouter router;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        backend = new TestBackend("pod0");
        router = new RouterFixture(dir)
                .pod("pod0", backend)
                .route("tenant.example.com", "pod0")
                .yaml("limits:\n  max-request-line: 256\n  max-header-size: 1024\n")
                .start();
    }

    @AfterAll
    static void stop() {
        router.close();
        backend.close();
    }

    static Stream<Arguments> badFraming() {
        return Stream.of(
                Arguments.of("Content-Length with Transfer-Encoding",
                        "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding before Content-Length",
                        "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nContent-Length: 15\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding gzip, chunked",
                        "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding chunked, chunked",
                        "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding chunked on two lines",
                        "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding identity",
                        "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: identity\r\n\r\nhello"),
                Arguments.of("Transfer-Encoding gzip",
                        "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: gzip\r\n\r\nhello"),
                Arguments.of("Transfer-Encoding in HTTP/1.0",
                        "POST / HTTP/1.0\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("two differing Content-Length lines",
                        "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("differing Content-Length values on one line",
                        "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5, 6\r\n\r\nhello!"),
                Arguments.of("two differing Content-Length lines in HTTP/1.0",
                        "POST / HTTP/1.0\r\n" + HOST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("non-numeric Content-Length",
                        "POST / HTTP/1.1\r\n" + HOST + "Content-Length: abc\r\n\r\nhello"),
                Arguments.of("signed Content-Length",
                        "POST / HTTP/1.1\r\n" + HOST + "Content-Length: +5\r\n\r\nhello"),
                Arguments.of("negative Content-Length",
                        "POST / HTTP/1.1\r\n" + HOST + "Content-Length: -1\r\n\r\nhello"),
                Arguments.of("hexadecimal Content-Length",
                        "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 0x5\r\n\r\nhello"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFraming")
    void aRequestWhoseBodyLengthIsUnclearGets400AndTheConnectionCloses(String what, String raw) throws Exception {
        assertRefused(raw, 400, true);
    }

    static Stream<Arguments> badSyntax() {
        return Stream.of(
                Arguments.of("bare LF everywhere", "GET / HTTP/1.1\n" + HOST.replace("\r\n", "\n") + "\n"),
                Arguments.of("bare LF after the request line", "GET / HTTP/1.1\n" + HOST + "\r\n"),
                Arguments.of("bare LF after a header", "GET / HTTP/1.1\r\n" + HOST + "X-A: b\n\r\n"),
                Arguments.of("obs-fold with a space", "GET / HTTP/1.1\r\n" + HOST + "X-A: b\r\n  c\r\n\r\n"),
                Arguments.of("obs-fold with a tab", "GET / HTTP/1.1\r\n" + HOST + "X-A: b\r\n\tc\r\n\r\n"),
                Arguments.of("obs-fold on the first header", "GET / HTTP/1.1\r\n " + HOST + "\r\n"),
                Arguments.of("space before a colon", "GET / HTTP/1.1\r\n" + HOST + "X-A : b\r\n\r\n"),
                Arguments.of("tab before a colon", "GET / HTTP/1.1\r\n" + HOST + "X-A\t: b\r\n\r\n"),
                Arguments.of("space before the Host colon", "GET / HTTP/1.1\r\nHost : tenant.example.com\r\n\r\n"),
                Arguments.of("control character in a value", "GET / HTTP/1.1\r\n" + HOST + "X-A: a\u0001b\r\n\r\n"),
                Arguments.of("DEL in a value", "GET / HTTP/1.1\r\n" + HOST + "X-A: a\u007fb\r\n\r\n"),
                Arguments.of("NUL in a value", "GET / HTTP/1.1\r\n" + HOST + "X-A: a\u0000b\r\n\r\n"),
                Arguments.of("bare CR in a value", "GET / HTTP/1.1\r\n" + HOST + "X-A: a\rX-B: b\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSyntax")
    void aSyntacticallyBrokenHeadGets400AndTheConnectionCloses(String what, String raw) throws Exception {
        assertRefused(raw, 400, true);
    }

    @Test
    void aRequestLineLongerThanTheLimitGets414() throws Exception {
        String raw = "GET /" + "a".repeat(300) + " HTTP/1.1\r\n" + HOST + "\r\n";
        RawHttp.Response r = assertRefused(raw, 414, true);
        assertThat(r.body()).contains("request line too long");
    }

    @Test
    void aRequestLineJustWithinTheLimitIsServed() throws Exception {
        // "GET " + path + " HTTP/1.1" is 256 characters: the longest accepted request line
        String path = "/" + "a".repeat(256 - "GET  HTTP/1.1".length() - 1);
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET " + path + " HTTP/1.1\r\n" + HOST + "\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).endsWith("path=" + path);
        }
    }

    @Test
    void aHeadLargerThanTheLimitGets431() throws Exception {
        String raw = "GET / HTTP/1.1\r\n" + HOST + "X-Big: " + "b".repeat(1500) + "\r\n\r\n";
        RawHttp.Response r = assertRefused(raw, 431, true);
        assertThat(r.body()).contains("request header fields too large");
    }

    @Test
    void aHeadLargerThanTheLimitInManySmallHeadersGets431() throws Exception {
        StringBuilder raw = new StringBuilder("GET / HTTP/1.1\r\n" + HOST);
        for (int i = 0; i < 100; i++) {
            raw.append("X-H").append(i).append(": 0123456789\r\n");
        }
        assertRefused(raw.append("\r\n").toString(), 431, true);
    }

    @Test
    void connectGets405AndTheConnectionStaysUsable() throws Exception {
        String raw = "CONNECT tenant.example.com:443 HTTP/1.1\r\nHost: tenant.example.com:443\r\n\r\n";
        RawHttp.Response r = assertRefused(raw, 405, false);
        assertThat(r.body()).contains("CONNECT");
    }

    @Test
    void aRequestSmuggledInsideABodyFramedTwoWaysNeverReachesTheServer() throws Exception {
        String smuggled = "GET /smuggled HTTP/1.1\r\n" + HOST + "\r\n";
        // Framed by Content-Length, the body is "0\r\n\r\n" + smuggled; framed as chunked, the body is
        // empty and the smuggled request follows it.
        String body = "0\r\n\r\n" + smuggled;
        String raw = "POST / HTTP/1.1\r\n" + HOST + "Content-Length: " + body.length() + "\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + body;
        int headsBefore = backend.heads().size();
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(raw).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(http.read()).as("a second response").isNull();
        }
        // Nothing may arrive later either: show that a request sent afterwards is the next one the server sees.
        try (RawHttp http = new RawHttp(router.port())) {
            assertThat(http.send("GET /after HTTP/1.1\r\n" + HOST + "\r\n").read().status()).isEqualTo(200);
        }
        assertThat(backend.heads().subList(headsBefore, backend.heads().size()))
                .extracting(h -> h.method() + " " + h.uri())
                .containsExactly("GET /after");
    }

    @Test
    void aMalformedRequestPipelinedBehindAGoodOneIsRefusedAfterTheGoodOneIsAnswered() throws Exception {
        int headsBefore = backend.heads().size();
        try (RawHttp http = new RawHttp(router.port())) {
            http.send("GET /slow?ms=100 HTTP/1.1\r\n" + HOST + "\r\n"
                    + "GET /folded HTTP/1.1\r\n" + HOST + "X-A: b\r\n c\r\n\r\n"
                    + "GET /never HTTP/1.1\r\n" + HOST + "\r\n");
            RawHttp.Response first = http.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("pod0 slow");
            assertThat(http.read().status()).isEqualTo(400);
            assertThat(http.closedByServer()).isTrue();
        }
        assertThat(backend.heads().subList(headsBefore, backend.heads().size()))
                .extracting(h -> h.uri()).containsExactly("/slow?ms=100");
    }

    @Test
    void aSmuggledRequestInAChunkedBodyWithTransferEncodingVariantsNeverReachesTheServer() throws Exception {
        String smuggled = "GET /smuggled HTTP/1.1\r\n" + HOST + "\r\n";
        for (String te : new String[] {"chunked, chunked", "gzip, chunked", "identity", "chunked\r\nTransfer-Encoding: chunked"}) {
            String raw = "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n" + smuggled;
            int headsBefore = backend.heads().size();
            try (RawHttp http = new RawHttp(router.port())) {
                RawHttp.Response r = http.send(raw).read();
                assertThat(r.status()).as(te).isEqualTo(400);
                assertThat(http.read()).as(te + ": a second response").isNull();
            }
            assertThat(backend.heads().subList(headsBefore, backend.heads().size())).as(te).isEmpty();
        }
    }

    /**
     * Sends {@code raw} on a new connection and checks the refusal: status, a short one-line text
     * body, whether the connection closes, and that the server got nothing.
     */
    private static RawHttp.Response assertRefused(String raw, int status, boolean closes) throws Exception {
        int requestsBefore = backend.requests();
        RawHttp.Response r;
        try (RawHttp http = new RawHttp(router.port())) {
            r = http.send(raw).read();
            assertThat(r).as("a response").isNotNull();
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.header("content-type")).isEqualTo("text/plain");
            assertThat(r.body()).startsWith(status + " ").endsWith("\n").hasSizeLessThan(200);
            assertThat(r.body().strip()).doesNotContain("\n");
            if (closes) {
                assertThat(r.header("connection")).isEqualToIgnoringCase("close");
                assertThat(http.closedByServer()).as("connection closed").isTrue();
            } else {
                assertThat(r.header("connection")).isNull();
                RawHttp.Response next = http.send(UNROUTED).read();
                assertThat(next).as("a response on the same connection").isNotNull();
                assertThat(next.status()).isEqualTo(404);
            }
        }
        assertThat(backend.requests()).as("requests that reached the server").isEqualTo(requestsBefore);
        return r;
    }
}
