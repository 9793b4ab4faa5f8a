package io.podrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.RawBackend;
import io.podrouter.testing.RawBackend.Reply;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keep-alive race with a pod of one server: the server closes a kept-alive connection just as
 * the router reuses it for the next request, before answering anything. A request safe to repeat
 * goes once more, on a new connection to that same server; any other gets 502, sent once. The
 * server is not counted as failing for it (passive health here takes a server out at the first
 * failure).
 */
class KeepAliveRaceTest {
    private static final String HOST = "t.example.com";

    @TempDir
    Path dir;
    RawBackend server;
    Podrouter router;

    @AfterEach
    void stop() throws Exception {
        if (router != null) {
            router.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * One server: {@code /warm} is answered (its connection stays in the pool), the first
     * {@code /race} gets {@code onReused} (it came on the pooled connection), any later one 200.
     */
    private void start(Reply onReused) throws Exception {
        start(onReused, "");
    }

    private void start(Reply onReused, String listenerYaml) throws Exception {
        AtomicInteger races = new AtomicInteger();
        server = new RawBackend(path -> path.equals("/race") && races.getAndIncrement() == 0 ? onReused
                : Reply.ok("served " + path));
        router = new RouterFixture(dir)
                .podYaml("one", "passive: { failures: 1, cooldown: 1h }\nservers:\n  - address: " + server.address() + "\n")
                .route(HOST, "one").listener(listenerYaml).yaml("threads: 1\n").start();
        try (RawHttp http = new RawHttp(router.port())) {
            assertThat(http.send(get("/warm")).read().body()).isEqualTo("served /warm");
        }
        assertThat(server.connections()).isEqualTo(1);
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
    }

    /** Requests the router sent again, as its metrics count them. */
    private long retries() {
        return router.requestMetrics().retries("retried");
    }

    /** The server was not taken out: the next request is served. */
    private void assertServerStillUp() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(get("/after")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("served /after");
        }
    }

    @Test
    void aGetOnAReusedConnectionTheOnlyServerClosesIsSentOnceMoreOnANewConnectionAndGets200() throws Exception {
        start(Reply.sendAndClose(""));
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(get("/race")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("served /race");
        }
        assertThat(server.paths()).containsExactly("/warm", "/race", "/race");
        assertThat(server.connections()).as("the retry opened a new connection").isEqualTo(2);
        assertThat(retries()).isEqualTo(1);
        assertServerStillUp();
    }

    @Test
    void aGetOnAReusedConnectionTheOnlyServerResetsIsRetriedAndTheResetIsNoServerFailure() throws Exception {
        start(Reply.reset());
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(get("/race")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("served /race");
        }
        assertThat(server.paths()).containsExactly("/warm", "/race", "/race");
        assertServerStillUp();
    }

    @Test
    void aPostOnAReusedConnectionTheOnlyServerClosesGets502AndIsSentOnce() throws Exception {
        start(Reply.sendAndClose(""));
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("POST /race HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(server.paths()).isEqualTo(List.of("/warm", "/race"));
        assertThat(retries()).isZero();
        assertServerStillUp();
    }

    @Test
    void aPostOnAReusedConnectionTheOnlyServerResetsGets502AndTheResetIsNoServerFailure() throws Exception {
        start(Reply.reset());
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("POST /race HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(server.paths()).isEqualTo(List.of("/warm", "/race"));
        assertServerStillUp();
    }

    @Test
    void anHttp2GetOnAReusedConnectionTheOnlyServerClosesIsSentOnceMoreAndGets200() throws Exception {
        start(Reply.sendAndClose(""), "  - bind: 127.0.0.1:0\n    h2c: true\n");
        // A stream's request is one reference-counted message: the retry sends it again, and nothing leaks.
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "20", "--http2-prior-knowledge", "-H", "Host: " + HOST,
                "-w", " %{http_code} %{http_version}", "http://127.0.0.1:" + router.addresses().get(1).getPort() + "/race")
                .redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(curl.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("served /race 200 2");
        assertThat(server.paths()).containsExactly("/warm", "/race", "/race");
        assertThat(retries()).isEqualTo(1);
    }
}
