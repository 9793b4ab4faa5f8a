package io.podrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pool.idle-timeout closes unused server connections; timeouts.keep-alive closes client connections
 * without a request; timeouts.client ends a request whose client went silent.
 */
class PoolAndClientTimeoutsTest {
    private static final String HOST = "t.example.com";
    private static final String SHA256_OF_HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @TempDir
    Path dir;
    TestBackend backend;
    Podrouter router;

    @BeforeEach
    void startBackend() throws Exception {
        backend = new TestBackend("app");
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        backend.close();
    }

    private void start(String server, String yaml) throws Exception {
        router = new RouterFixture(dir)
                .podYaml("pool", "servers:\n  - { address: " + backend.address() + server + " }\n")
                .route(HOST, "pool")
                .yaml(yaml)
                .start();
    }

    @Test
    void aServerConnectionUnusedForThePoolIdleTimeoutIsClosedByTheRouter() throws Exception {
        start("", "pool:\n  idle-timeout: 500ms\n");
        long lastSent;
        try (RawHttp http = new RawHttp(router.port())) {
            assertThat(http.send(Requests.get("/", HOST)).read().status()).isEqualTo(200);
            lastSent = System.nanoTime();
            assertThat(http.send(Requests.get("/", HOST)).read().status()).isEqualTo(200);
        }
        assertThat(backend.connections()).as("the second request reused the pooled connection").isEqualTo(1);

        Poll.until(Duration.ofSeconds(5), "the pooled connection closed", () -> backend.closedConnections() == 1);
        // The router last used the connection after the second request was sent.
        long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastSent);
        assertThat(idleMs).as("ms the connection stayed idle (the default is 10s)").isBetween(490L, 500L + 2500L);
        assertThat(backend.openConnections()).isZero();

        assertThat(Requests.getOnce(router.port(), "/", HOST).status()).isEqualTo(200);
        assertThat(backend.connections()).as("a new connection for the next request").isEqualTo(2);
    }

    @Test
    void aServerConnectionBusyLongerThanThePoolIdleTimeoutIsNotClosed() throws Exception {
        start("", "pool:\n  idle-timeout: 300ms\n");
        try (RawHttp http = new RawHttp(router.port())) {
            // Had the router closed the busy connection, this would be a 502.
            RawHttp.Response r = http.send(Requests.get("/slow?ms=800", HOST)).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("app slow");
        }
        assertThat(backend.connections()).isEqualTo(1);
        // Once the answer is in and the connection is back in the pool, it is closed when unused.
        Poll.until(Duration.ofSeconds(5), "the pooled connection closed", () -> backend.closedConnections() == 1);
    }

    @Test
    void aClientConnectionWithoutARequestForTheKeepAliveTimeoutIsClosedCountingFromItsLastResponse() throws Exception {
        start("", "timeouts:\n  keep-alive: 600ms\n");
        try (RawHttp http = new RawHttp(router.port())) {
            // A response slower than the keep-alive timeout: the connection was busy, not idle.
            assertThat(http.send(Requests.get("/slow?ms=900", HOST)).read().status()).isEqualTo(200);
            // Requests closer together than the timeout keep the connection open: after each answer
            // the client is silent for half the timeout, and the connection must stay open meanwhile.
            for (int i = 0; i < 4; i++) {
                assertThat(http.openAndQuietFor(300)).as("open %d ms after answer %d", 300, i + 1).isTrue();
                assertThat(http.send(Requests.get("/", HOST)).read().status()).as("request %d", i + 2).isEqualTo(200);
            }
            long lastAnswered = System.nanoTime();
            assertThat(http.timeout(5000).closedByServer()).as("closed by the router").isTrue();
            long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAnswered);
            assertThat(idleMs).as("ms the connection stayed idle").isBetween(590L, 600L + 2500L);
        }
        assertThat(backend.requests("/")).isEqualTo(4);
    }

    @Test
    void aClientThatStopsInTheMiddleOfABodyGets408AndTheServerSlotIsGivenBack() throws Exception {
        start(", maxconn: 1", "timeouts:\n  client: 300ms\n  queue: 1s\n");
        try (RawHttp http = new RawHttp(router.port())) {
            long start = System.nanoTime();
            http.send("POST /sha256 HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 100\r\n\r\n0123456789");
            RawHttp.Response r = http.read();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.status()).isEqualTo(408);
            // Not before timeouts.client; and well before RawHttp's 10s read timeout, which is what
            // a request nobody times out would get.
            assertThat(ms).as("ms until 408").isBetween(290L, 300L + 4000L);
            assertThat(http.closedByServer()).as("the rest of the body will not come: the connection is closed").isTrue();
        }
        Poll.until(Duration.ofSeconds(5), "the server connection of the cut request closed", () -> backend.openConnections() == 0);
        assertThat(backend.requests("/sha256")).isEqualTo(1);

        // maxconn 1: had the slot not been given back, this would wait for the queue timeout and get 503.
        RawHttp.Response next = Requests.getOnce(router.port(), "/", HOST);
        assertThat(next.status()).isEqualTo(200);
    }

    @Test
    void aCompleteRequestWaitingInTheQueueLongerThanTheClientTimeoutIsServedNotAnswered408() throws Exception {
        start(", maxconn: 1", "timeouts:\n  client: 300ms\n  queue: 5s\n");
        try (RawHttp busy = new RawHttp(router.port()); RawHttp get = new RawHttp(router.port());
             RawHttp post = new RawHttp(router.port())) {
            busy.send(Requests.get("/slow?ms=1000", HOST));
            Poll.until(Duration.ofSeconds(5), "the slot taken", () -> backend.inFlight() == 1);
            // Both sent in full: the client has nothing more to say while they wait for the slot.
            get.send(Requests.get("/", HOST));
            post.send("POST /sha256 HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 5\r\n\r\nhello");

            assertThat(busy.read().status()).isEqualTo(200);
            RawHttp.Response g = get.read();
            assertThat(g.status()).as("GET: %s", g.body()).isEqualTo(200);
            RawHttp.Response p = post.read();
            assertThat(p.status()).as("POST: %s", p.body()).isEqualTo(200);
            assertThat(p.body()).isEqualTo("5 " + SHA256_OF_HELLO);
        }
        assertThat(backend.maxInFlight()).isEqualTo(1);
    }

    @Test
    void aClientThatStopsInTheMiddleOfABodyWhileItsRequestWaitsInTheQueueGets408OnceTheRequestHasAServer() throws Exception {
        start(", maxconn: 1", "timeouts:\n  client: 300ms\n  queue: 5s\n");
        try (RawHttp busy = new RawHttp(router.port()); RawHttp stalled = new RawHttp(router.port())) {
            busy.send(Requests.get("/slow?ms=600", HOST));
            Poll.until(Duration.ofSeconds(5), "the slot taken", () -> backend.inFlight() == 1);
            stalled.send("POST /sha256 HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 100\r\n\r\n0123456789");

            assertThat(busy.read().status()).isEqualTo(200);
            long granted = System.nanoTime();
            RawHttp.Response r = stalled.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - granted)).as("ms from the slot freeing to 408")
                    .isLessThan(300L + 4000L);
        }
        // The 408 can come right after the request head went to the server (the client's silence
        // timer may fire just after the slot was granted): wait for the server to have read it.
        Poll.until(Duration.ofSeconds(5), "the stalled request reached the server once it had the slot",
                () -> backend.requests("/sha256") == 1);
        assertThat(backend.requests("/sha256")).isEqualTo(1);
    }
}
