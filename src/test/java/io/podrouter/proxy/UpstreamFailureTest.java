package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawBackend;
import io.podrouter.testing.RawBackend.Reply;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Servers that cannot be reached, do not answer, hang up or answer garbage: the client gets 502 or
 * 504 (or, once part of a response has gone out, a cut connection), and the server connection that
 * failed is never handed to another request. Each test runs its own router and server, so connection
 * counts start at zero.
 */
class UpstreamFailureTest {
    private static final String GET_WHERE = "GET /where HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n";

    @TempDir
    Path dir;

    @Test
    void aServerOnAClosedPortGets502() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (Podrouter router = new RouterFixture(dir).pod("pod0", "127.0.0.1:" + closedPort)
                .route("tenant.example.com", "pod0").start()) {
            for (int i = 0; i < 2; i++) {
                try (RawHttp http = new RawHttp(router.port())) {
                    RawHttp.Response r = http.send(GET_WHERE).read();
                    assertThat(r.status()).isEqualTo(502);
                    assertThat(r.body()).startsWith("502 Bad Gateway: ").endsWith("\n");
                }
            }
        }
    }

    @Test
    void aServerThatDoesNotAnswerWithinTheServerTimeoutGets504AndTheClientConnectionGoesOn() throws Exception {
        try (TestBackend backend = new TestBackend("pod0");
             Podrouter router = new RouterFixture(dir).pod("pod0", backend).route("tenant.example.com", "pod0")
                     .yaml("timeouts:\n  server: 300ms\n").start();
             RawHttp http = new RawHttp(router.port())) {
            long start = System.nanoTime();
            RawHttp.Response r = http.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.body()).startsWith("504 Gateway Timeout: ");
            assertThat(r.header("connection")).isNull();
            // Not before the timeout (the answer itself, after 3 s, would have been a 200).
            assertThat(elapsedMs).isGreaterThanOrEqualTo(290L);

            RawHttp.Response next = http.send(GET_WHERE).read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("pod0 host=tenant.example.com path=/where");
            // The connection that timed out was closed, not pooled: the next request needed a new one.
            assertThat(backend.connections()).isEqualTo(2);
            Poll.until("the timed-out server connection is closed", () -> backend.openConnections() == 1);
        }
    }

    @Test
    void aServerThatClosesWithoutAnsweringGets502AndTheClientConnectionGoesOn() throws Exception {
        try (TestBackend backend = new TestBackend("pod0");
             Podrouter router = new RouterFixture(dir).pod("pod0", backend).route("tenant.example.com", "pod0").start();
             RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET /close HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.body()).startsWith("502 Bad Gateway: ");

            assertThat(http.send(GET_WHERE).read().status()).isEqualTo(200);
            assertThat(backend.requests()).isEqualTo(2);
            assertThat(backend.connections()).isEqualTo(2);
        }
    }

    static Stream<Arguments> malformedResponses() {
        return Stream.of(
                Arguments.of("not HTTP at all", "SSH-2.0-OpenSSH_9.6\r\n\r\n"),
                Arguments.of("a status that is not a number", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"),
                Arguments.of("an HTTP major version other than 1", "HTTP/7.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
                Arguments.of("Content-Length with Transfer-Encoding",
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("two differing Content-Length lines",
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("a non-numeric Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello"),
                Arguments.of("a control character in a header value", "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n"),
                Arguments.of("101 Switching Protocols unasked",
                        "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedResponses")
    void aMalformedResponseGets502AndItsServerConnectionIsClosed(String what, String bytes) throws Exception {
        try (RawBackend backend = new RawBackend(path -> path.equals("/bad") ? Reply.send(bytes) : Reply.ok("fine"));
             Podrouter router = new RouterFixture(dir).pod("pod0", backend.address())
                     .route("tenant.example.com", "pod0").start();
             RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET /bad HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.body()).startsWith("502 Bad Gateway: ");
            Poll.until("the router closes the connection that answered badly", () -> backend.closedByPeer() == 1);

            RawHttp.Response next = http.send(GET_WHERE).read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("fine");
            assertThat(backend.connections()).isEqualTo(2);
            assertThat(backend.paths()).containsExactly("/bad", "/where");
        }
    }

    @Test
    void aResponseBodyThatTurnsMalformedCutsTheClientOffAndItsServerConnectionIsClosed() throws Exception {
        String bad = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n";
        try (RawBackend backend = new RawBackend(path -> path.equals("/bad") ? Reply.send(bad) : Reply.ok("fine"));
             Podrouter router = new RouterFixture(dir).pod("pod0", backend.address())
                     .route("tenant.example.com", "pod0").start()) {
            try (RawHttp http = new RawHttp(router.port())) {
                // The good head was already on its way to the client: the only honest end is a cut connection.
                assertThat(http.send("GET /bad HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read()).isNull();
            }
            Poll.until("the router closes the connection that answered badly", () -> backend.closedByPeer() == 1);
            try (RawHttp http = new RawHttp(router.port())) {
                assertThat(http.send(GET_WHERE).read().body()).isEqualTo("fine");
            }
            assertThat(backend.connections()).isEqualTo(2);
        }
    }

    @Test
    void anHttp10ServersResponseReachesTheClientAsTheRoutersOwnHttp11() throws Exception {
        try (RawBackend backend = new RawBackend(path -> Reply.send(path.equals("/kept")
                ? "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nkept"
                : "HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nonce"));
             Podrouter router = new RouterFixture(dir).pod("pod0", backend.address())
                     .route("tenant.example.com", "pod0").start();
             RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response kept = http.send("GET /kept HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read();
            assertThat(kept.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(kept.header("connection")).isNull();
            assertThat(kept.body()).isEqualTo("kept");
            // The client connection persists whatever the server's version; HTTP/1.1 says so without a header.
            RawHttp.Response once = http.send("GET /once HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read();
            assertThat(once.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(once.body()).isEqualTo("once");
            // The first connection said keep-alive and was reused; the second did not, so it is not pooled.
            assertThat(backend.connections()).isEqualTo(1);
            assertThat(http.send("GET /again HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read().body()).isEqualTo("once");
            assertThat(backend.connections()).isEqualTo(2);
        }
    }

    @Test
    void aServerThatHangsUpInTheMiddleOfABodyCutsTheClientOffAndIsNotReused() throws Exception {
        String cut = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part";
        try (RawBackend backend = new RawBackend(path -> path.equals("/cut") ? Reply.sendAndClose(cut) : Reply.ok("fine"));
             Podrouter router = new RouterFixture(dir).pod("pod0", backend.address())
                     .route("tenant.example.com", "pod0").start()) {
            try (RawHttp http = new RawHttp(router.port())) {
                RawHttp.Response r = http.send("GET /cut HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read();
                // The head had gone out, so all the router can do is end the connection early.
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("only part");
                assertThat(http.closedByServer()).isTrue();
            }
            try (RawHttp http = new RawHttp(router.port())) {
                assertThat(http.send(GET_WHERE).read().body()).isEqualTo("fine");
            }
            assertThat(backend.connections()).isEqualTo(2);
        }
    }

    @Test
    void aServerConnectionWhoseResponseSaidCloseIsClosedByTheRouterAndNotReused() throws Exception {
        // The server says it will close, then does not: the router must close it rather than pool it.
        try (RawBackend backend = new RawBackend(path -> path.equals("/once")
                ? Reply.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\nonce") : Reply.ok("fine"));
             Podrouter router = new RouterFixture(dir).pod("pod0", backend.address())
                     .route("tenant.example.com", "pod0").start();
             RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response once = http.send("GET /once HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n").read();
            assertThat(once.body()).isEqualTo("once");
            // The server's Connection: close is about its own connection; the client's stays open.
            assertThat(once.header("connection")).isNull();
            Poll.until("the router closes the server connection", () -> backend.closedByPeer() == 1);
            assertThat(http.send(GET_WHERE).read().body()).isEqualTo("fine");
            assertThat(backend.connections()).isEqualTo(2);
        }
    }

    @Test
    void requestsPipelinedBehindAFailedOneAreStillAnsweredInOrder() throws Exception {
        try (TestBackend backend = new TestBackend("pod0");
             Podrouter router = new RouterFixture(dir).pod("pod0", backend).route("tenant.example.com", "pod0")
                     .yaml("timeouts:\n  server: 300ms\n").start();
             RawHttp http = new RawHttp(router.port())) {
            http.send("GET /close HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n"
                    + "GET /slow?ms=3000 HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n"
                    + GET_WHERE);
            assertThat(http.read().status()).isEqualTo(502);
            assertThat(http.read().status()).isEqualTo(504);
            RawHttp.Response last = http.read();
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.body()).isEqualTo("pod0 host=tenant.example.com path=/where");
            // Each failure cost its connection: three requests, three server connections.
            assertThat(backend.connections()).isEqualTo(3);
        }
    }
}
