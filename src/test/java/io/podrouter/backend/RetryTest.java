package io.podrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request is tried on another server only when the first cannot have acted on it: never a POST
 * that reached a server, at most once for anything.
 */
class RetryTest {
    private static final String HOST = "t.example.com";

    @TempDir
    Path dir;
    final List<TestBackend> backends = new ArrayList<>();
    Podrouter router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend(String name) throws InterruptedException {
        TestBackend b = new TestBackend(name);
        backends.add(b);
        return b;
    }

    /** A pod of these servers in this order, round-robin; one event loop, so pooled connections are always reused. */
    private void start(String... addresses) throws Exception {
        StringBuilder pod = new StringBuilder("passive: { failures: 1000 }\nservers:\n");
        for (String a : addresses) {
            pod.append("  - address: ").append(a).append('\n');
        }
        router = new RouterFixture(dir).podYaml("pool", pod.toString()).route(HOST, "pool").yaml("threads: 1\n").start();
    }

    private static String closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    /** Requests the router sent again, as its metrics count them. */
    private long retries() {
        return router.requestMetrics().retries("retried");
    }

    /** One request to each server, so that each has an idle connection in the pool. */
    private void warmUp(TestBackend a, TestBackend b) throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            assertThat(http.send(Requests.get("/", HOST)).read().body()).startsWith("a ");
            assertThat(http.send(Requests.get("/", HOST)).read().body()).startsWith("b ");
        }
        assertThat(a.connections()).isEqualTo(1);
        assertThat(b.connections()).isEqualTo(1);
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    @Test
    void aPostToAServerThatClosesWithoutAnsweringIsSentOnceAndAnswered502() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        start(a.address(), b.address());

        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(post("/close", "hello")).read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(a.requests("/close") + b.requests("/close")).as("times the POST was sent").isEqualTo(1);
        assertThat(retries()).isZero();
    }

    @Test
    void aPostThatAServerDropsOnAReusedConnectionIsNotSentAgain() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        start(a.address(), b.address());
        warmUp(a, b);

        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(post("/close", "hello")).read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(a.connections()).as("the POST went on the pooled connection").isEqualTo(1);
        assertThat(a.requests("/close")).isEqualTo(1);
        assertThat(b.requests("/close")).as("sent again to b").isZero();
        assertThat(retries()).isZero();
    }

    @Test
    void aGetThatAServerDropsOnAReusedConnectionIsTriedOnceMoreOnAnotherServerAndNoMore() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        start(a.address(), b.address());
        warmUp(a, b);

        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(Requests.get("/close", HOST)).read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(a.requests("/close")).isEqualTo(1);
        assertThat(b.requests("/close")).isEqualTo(1);
        assertThat(retries()).isEqualTo(1);
    }

    @Test
    void aGetWhoseFirstServerRefusesConnectionsIsRetriedOnTheOtherServerAndSucceeds() throws Exception {
        TestBackend live = backend("live");
        start(closedPort(), live.address());

        try (RawHttp http = new RawHttp(router.port())) {
            for (int i = 0; i < 10; i++) {
                RawHttp.Response r = http.send(Requests.get("/r" + i, HOST)).read();
                assertThat(r.status()).as("request %d", i).isEqualTo(200);
                assertThat(r.body()).isEqualTo("live host=" + HOST + " path=/r" + i);
            }
        }
        assertThat(live.requests()).isEqualTo(10);
        assertThat(retries()).as("requests retried after the refused connect").isBetween(1L, 10L);
    }

    @Test
    void aPostWhoseFirstServerRefusesConnectionsIsRetriedWithItsWholeBody() throws Exception {
        TestBackend live = backend("live");
        start(closedPort(), live.address());
        String body = "x".repeat(200_000);

        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(post("/sha256", body)).read();
            assertThat(r.status()).isEqualTo(200);
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.US_ASCII)));
            assertThat(r.body()).isEqualTo(body.length() + " " + digest);
        }
        assertThat(live.requests("/sha256")).isEqualTo(1);
        assertThat(retries()).isEqualTo(1);
    }

    @Test
    void whenBothServersRefuseConnectionsTheRequestIsTriedTwiceAndAnswered502() throws Exception {
        start(closedPort(), closedPort());

        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(Requests.get("/", HOST)).read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(retries()).isEqualTo(1);
    }
}
