package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keep-alive on both sides: server connections are pooled and reused, client connections are served in order. */
class ConnectionReuseTest {
    private static final int PODS = 3;
    static TestBackend[] pods = new TestBackend[PODS];
    static Podrouter router;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        RouterFixture fixture = new RouterFixture(dir);
        for (int i = 0; i < PODS; i++) {
            pods[i] = new TestBackend("pod" + i);
            fixture.pod("pod" + i, pods[i]).route("tenant" + i + ".example.com", "pod" + i);
        }
        router = fixture.start();
    }

    @AfterAll
    static void stop() {
        router.close();
        for (TestBackend b : pods) {
            b.close();
        }
    }

    private static int serverConnections() {
        return Arrays.stream(pods).mapToInt(TestBackend::connections).sum();
    }

    private static int serverRequests() {
        return Arrays.stream(pods).mapToInt(TestBackend::requests).sum();
    }

    @Test
    void thousandsOfKeepAliveRequestsFromConcurrentClientsUseAFewDozenServerConnections() throws Exception {
        int clients = 16;
        int perClient = 125;
        int connectionsBefore = serverConnections();
        int requestsBefore = serverRequests();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    try (RawHttp http = new RawHttp(router.port())) {
                        for (int i = 0; i < perClient; i++) {
                            int pod = (client + i) % PODS;
                            String path = "/c" + client + "/r" + i;
                            RawHttp.Response r = http.send("GET " + path + " HTTP/1.1\r\nHost: tenant" + pod
                                    + ".example.com\r\n\r\n").read();
                            assertThat(r.status()).isEqualTo(200);
                            assertThat(r.body()).isEqualTo("pod" + pod + " host=tenant" + pod + ".example.com path=" + path);
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(perClient);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(serverRequests() - requestsBefore).isEqualTo(clients * perClient);
        // At most one request per client connection is in flight, and released connections are pooled
        // per event loop and server, so no server ever needs more connections than there are clients:
        // 16 clients x 3 servers is the ceiling (without reuse it would be one per request, 2000).
        assertThat(serverConnections() - connectionsBefore).isLessThanOrEqualTo(clients * PODS);
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrder() throws Exception {
        String[][] requests = {
                {"/slow?ms=200", "tenant0.example.com", "pod0 slow"},
                {"/a", "tenant1.example.com", "pod1 host=tenant1.example.com path=/a"},
                {"/b", "tenant2.example.com", "pod2 host=tenant2.example.com path=/b"},
                {"/c", "tenant0.example.com", "pod0 host=tenant0.example.com path=/c"},
                {"/slow?ms=50", "tenant1.example.com", "pod1 slow"},
                {"/d", "tenant1.example.com", "pod1 host=tenant1.example.com path=/d"}};
        StringBuilder all = new StringBuilder();
        for (String[] r : requests) {
            all.append("GET ").append(r[0]).append(" HTTP/1.1\r\nHost: ").append(r[1]).append("\r\n\r\n");
        }
        try (RawHttp http = new RawHttp(router.port())) {
            http.send(all.toString());
            for (String[] r : requests) {
                RawHttp.Response response = http.read();
                assertThat(response.status()).as(r[0]).isEqualTo(200);
                assertThat(response.body()).isEqualTo(r[2]);
            }
            // Still a working keep-alive connection afterwards.
            assertThat(http.send("GET /e HTTP/1.1\r\nHost: tenant2.example.com\r\n\r\n").read().body())
                    .isEqualTo("pod2 host=tenant2.example.com path=/e");
        }
    }

    @Test
    void aRequestWithConnectionCloseGetsItsResponseAndThenTheConnectionCloses() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET /last HTTP/1.1\r\nHost: tenant1.example.com\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("pod1 host=tenant1.example.com path=/last");
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aRequestPipelinedAfterConnectionCloseIsNeitherAnsweredNorForwarded() throws Exception {
        int before = pods[2].requests();
        try (RawHttp http = new RawHttp(router.port())) {
            http.send("GET /last HTTP/1.1\r\nHost: tenant2.example.com\r\nConnection: close\r\n\r\n"
                    + "GET /too-late HTTP/1.1\r\nHost: tenant2.example.com\r\n\r\n");
            RawHttp.Response r = http.read();
            assertThat(r.body()).isEqualTo("pod2 host=tenant2.example.com path=/last");
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(http.read()).isNull();
        }
        assertThat(pods[2].requests() - before).isEqualTo(1);
        assertThat(pods[2].heads().get(pods[2].heads().size() - 1).uri()).isEqualTo("/last");
    }

    @Test
    void sequentialRequestsOnOneClientConnectionReuseOneServerConnection(@TempDir Path dir) throws Exception {
        // A fresh client connection may land on either event loop; each loop keeps its own pool, so
        // the first request may open a connection, and the other 49 must reuse it.
        try (TestBackend solo = new TestBackend("solo");
             Podrouter own = new RouterFixture(dir)
                     .pod("solo", solo).route("solo.example.com", "solo").start();
             RawHttp http = new RawHttp(own.port())) {
            for (int i = 0; i < 50; i++) {
                assertThat(http.send("GET /" + i + " HTTP/1.1\r\nHost: solo.example.com\r\n\r\n").read().body())
                        .isEqualTo("solo host=solo.example.com path=/" + i);
            }
            assertThat(solo.connections()).isEqualTo(1);
            assertThat(solo.requests()).isEqualTo(50);
        }
    }
}
