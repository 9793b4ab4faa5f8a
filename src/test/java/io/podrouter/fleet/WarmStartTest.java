package io.podrouter.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.config.ConfigReader;
import io.podrouter.directory.RouteCache;
import io.podrouter.testing.CapturedLog;
import io.podrouter.testing.FakeDirectory;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RedisServer;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router that starts warm: from its own snapshot (with the stream replayed from where the
 * snapshot left off), or from a running peer's cached answers; and one that cannot, starting cold
 * with one log line. Real routers, a real Redis, a fake directory that counts lookups.
 */
class WarmStartTest {
    static final int TENANTS = 10_000;
    static final String TOKEN = "a-long-enough-admin-token";
    static TestBackend[] pods = new TestBackend[3];
    static RedisServer redis;
    @TempDir
    static Path redisDir;

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private FakeDirectory directory;

    @BeforeAll
    static void startPodsAndRedis() throws Exception {
        for (int i = 0; i < pods.length; i++) {
            pods[i] = new TestBackend("pod" + i);
        }
        redis = RedisServer.start(redisDir);
    }

    @AfterAll
    static void stopPodsAndRedis() {
        for (TestBackend b : pods) {
            b.close();
        }
        redis.close();
    }

    @BeforeEach
    void startDirectory() throws Exception {
        redis.cli("DEL", "podrouter:routes");
        directory = new FakeDirectory().otherwise(key -> FakeDirectory.Answer.text(podOf(key)));
        toClose.add(directory);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    static String podOf(String key) {
        return "pod" + Math.floorMod(key.hashCode(), 3);
    }

    static String tenant(int i) {
        return "t" + i + ".example.com";
    }

    /** The configuration of a router with pod0..pod2 and the fake directory, in its own folder; {@code more} goes under routing. */
    private Path config(String name, String moreRouting, String moreTopLevel) throws Exception {
        Path own = dir.resolve(name);
        Files.createDirectories(own);
        RouterFixture fixture = new RouterFixture(own);
        for (int i = 0; i < pods.length; i++) {
            fixture.pod("pod" + i, pods[i]);
        }
        fixture.routing("directory:\n  url: " + directory.url() + "\n" + moreRouting);
        fixture.yaml(moreTopLevel);
        return fixture.writeConfig();
    }

    private Podrouter start(Path config) throws Exception {
        Podrouter router = Podrouter.start(ConfigReader.read(config));
        toClose.add(router);
        return router;
    }

    /** Requests each of the first {@code n} tenants once (pipelined, on a few connections) and checks each went to its pod. */
    private void requestAll(Podrouter router, int n) throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = t * n / threads;
                int to = (t + 1) * n / threads;
                results.add(pool.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    try (RawHttp http = new RawHttp(router.port())) {
                        for (int i = from; i < to; i += 50) {
                            int end = Math.min(to, i + 50);
                            StringBuilder batch = new StringBuilder();
                            for (int j = i; j < end; j++) {
                                batch.append("GET /x HTTP/1.1\r\nHost: ").append(tenant(j)).append("\r\n\r\n");
                            }
                            http.send(batch.toString());
                            for (int j = i; j < end; j++) {
                                RawHttp.Response r = http.read();
                                if (r == null || r.status() != 200 || !r.body().startsWith(podOf(tenant(j)) + " ")) {
                                    wrong.add(tenant(j) + ": " + (r == null ? "no response" : r.status() + " " + r.body()));
                                }
                            }
                        }
                    }
                    return wrong;
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<List<String>> f : results) {
                wrong.addAll(f.get());
            }
            assertThat(wrong).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    private String podFor(Podrouter router, String host) throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
            return r.status() == 200 ? r.body().substring(0, r.body().indexOf(' ')) : "status " + r.status();
        }
    }

    @Test
    void aRestartedRouterRoutesTenThousandTenantsFromItsSnapshotWithoutALookup() throws Exception {
        Path config = config("a", "cache:\n  snapshot: cache.snapshot\n", "");
        Podrouter first = start(config);
        requestAll(first, TENANTS);
        assertThat(directory.lookups()).isEqualTo(TENANTS);
        first.stopGracefully(); // SIGTERM's path: the snapshot is written at stop
        assertThat(config.resolveSibling("cache.snapshot")).exists();

        Podrouter second = start(config);
        requestAll(second, TENANTS);
        assertThat(directory.lookups()).as("lookups after the restart").isEqualTo(TENANTS);
    }

    @Test
    void aTenantMovedWhileTheRouterWasStoppedGoesToItsNewPodFromTheFirstRequest() throws Exception {
        Path config = config("b", """
                cache:
                  snapshot: cache.snapshot
                invalidation:
                  redis: %s
                """.formatted(redis.uri()), "");
        String moved = tenant(7);
        String newPod = podOf(moved).equals("pod2") ? "pod1" : "pod2";
        Podrouter first = start(config);
        requestAll(first, 10);
        first.stopGracefully();

        // The directory still says the old pod: only the stream tells of the move.
        redis.cli("XADD", "podrouter:routes", "*", "key", moved, "backend", newPod);
        Podrouter second = start(config);
        assertThat(podFor(second, moved)).isEqualTo(newPod);
        assertThat(podFor(second, tenant(3))).isEqualTo(podOf(tenant(3)));
        assertThat(directory.lookups()).isEqualTo(10);
    }

    @Test
    void anUnusableSnapshotIsLoggedOnceAndTheRouterStartsColdAndRoutesRight() throws Exception {
        Path config = config("c", "cache:\n  snapshot: cache.snapshot\n", "");
        Path snapshot = config.resolveSibling("cache.snapshot");
        CacheSnapshot.write(snapshot, null, List.of(new RouteCache.Saved(tenant(1), "pod7", 60_000),
                new RouteCache.Saved(tenant(2), podOf(tenant(2)), 60_000)), System.currentTimeMillis());
        byte[] valid = Files.readAllBytes(snapshot);
        ByteArrayOutputStream foreign = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(foreign)) {
            gz.write("some other program's file".getBytes());
        }
        List<byte[]> unusable = List.of(new byte[0], java.util.Arrays.copyOf(valid, valid.length - 9),
                "garbage, not gzip at all".getBytes(), foreign.toByteArray());
        Class<?> fleetLog = Class.forName("io.podrouter.Fleet");
        for (byte[] content : unusable) {
            Files.write(snapshot, content);
            CapturedLog lines = CapturedLog.of(fleetLog);
            long before = directory.lookups();
            try (lines; Podrouter router = Podrouter.start(ConfigReader.read(config))) {
                assertThat(lines.events()).filteredOn(e -> e.getFormattedMessage().contains("not used")).hasSize(1);
                assertThat(podFor(router, tenant(2))).isEqualTo(podOf(tenant(2)));
                assertThat(directory.lookups()).isEqualTo(before + 1);
            }
        }

        // A snapshot naming a pod this configuration lacks: that answer is skipped, the rest used.
        Files.write(snapshot, valid);
        CapturedLog lines = CapturedLog.of(fleetLog);
        long before = directory.lookups();
        try (lines; Podrouter router = Podrouter.start(ConfigReader.read(config))) {
            assertThat(lines.events()).filteredOn(e -> e.getFormattedMessage().contains("skipped 1")).hasSize(1);
            assertThat(podFor(router, tenant(2))).isEqualTo(podOf(tenant(2)));
            assertThat(directory.lookups()).as("tenant 2 came from the snapshot").isEqualTo(before);
            assertThat(podFor(router, tenant(1))).isEqualTo(podOf(tenant(1)));
            assertThat(directory.lookups()).as("tenant 1 (pod7) was looked up").isEqualTo(before + 1);
        }
    }

    @Test
    void aRouterWarmedFromARunningPeerMakesNoLookupsForThePeersTenants() throws Exception {
        String admin = "admin:\n  bind: 127.0.0.1:0\n  token: " + TOKEN + "\n";
        Podrouter peer = start(config("peer", "", admin));
        requestAll(peer, TENANTS);
        assertThat(directory.lookups()).isEqualTo(TENANTS);

        String url = "http://127.0.0.1:" + peer.adminAddress().getPort();
        Podrouter fresh = start(config("fresh", "cache:\n  warm-from: [ " + url + " ]\n", admin));
        assertThat(fresh.routeCache().size()).isEqualTo(TENANTS);
        requestAll(fresh, TENANTS);
        assertThat(directory.lookups()).as("lookups by the warmed router").isEqualTo(TENANTS);
    }

    @Test
    void anUnreachablePeerMeansAColdStartWithinTheBound() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        // One peer refuses, the other accepts and never answers.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 10, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path config = config("cold", """
                    cache:
                      warm-from: [ "http://127.0.0.1:%d", "http://127.0.0.1:%d" ]
                      warm-timeout: 2s
                    """.formatted(closed, silent.getLocalPort()), "");
            long started = System.nanoTime();
            Podrouter router = start(config);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(tookMillis).isLessThan(6_000);
            assertThat(router.routeCache().size()).isZero();
            requestAll(router, 20);
            assertThat(directory.lookups()).isEqualTo(20);
            assertThat(IntStream.range(0, 20).mapToObj(WarmStartTest::tenant)).allMatch(t -> directory.lookups(t) == 1);
        }
    }
}
