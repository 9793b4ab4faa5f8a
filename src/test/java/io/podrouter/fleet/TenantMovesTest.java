package io.podrouter.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.podrouter.Podrouter;
import io.podrouter.config.HostAndPort;
import io.podrouter.directory.DirectoryServer;
import io.podrouter.testing.CapturedLog;
import io.podrouter.testing.FakeDirectory;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RedisServer;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TcpForwarder;
import io.podrouter.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenant moves through a real Redis stream, to routers running on real sockets: entries written
 * by {@code redis-cli} in the documented format, a router cut off from Redis and catching up, a
 * stream trimmed past what a router read, and malformed entries.
 */
class TenantMovesTest {
    static final String STREAM = "podrouter:routes";
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
        redis.cli("DEL", STREAM);
        directory = new FakeDirectory();
        toClose.add(directory);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** A router with pod0..pod2, the fake directory, and the stream read from Redis at {@code redisPort}. */
    private Podrouter router(int redisPort) throws Exception {
        return router(directory.url(), "redis://127.0.0.1:" + redisPort + "/0");
    }

    /** A router with pod0..pod2, asking the directory at {@code directoryUrl}, reading the stream from {@code redisUri}. */
    private Podrouter router(String directoryUrl, String redisUri) throws Exception {
        Path own = Files.createTempDirectory(dir, "router");
        RouterFixture fixture = new RouterFixture(own);
        for (int i = 0; i < pods.length; i++) {
            fixture.pod("pod" + i, pods[i]);
        }
        fixture.routing("""
                directory:
                  url: %s
                invalidation:
                  redis: %s
                """.formatted(directoryUrl, redisUri));
        Podrouter router = fixture.start();
        toClose.add(router);
        await(10_000, "the router reads the stream", () -> router.routeChanges().connected());
        return router;
    }

    /** The pod that served a request for {@code host} through {@code router}, or the status when it failed. */
    private String podFor(Podrouter router, String host) throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
            if (r == null) {
                return "no response";
            }
            return r.status() == 200 ? r.body().substring(0, r.body().indexOf(' ')) : "status " + r.status();
        }
    }

    private static void await(long millis, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + millis + "ms waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private void awaitPod(Podrouter router, String host, String pod) {
        await(5_000, host + " routed to " + pod, () -> {
            try {
                return podFor(router, host).equals(pod);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private void xadd(String... fields) throws Exception {
        List<String> args = new ArrayList<>(List.of("XADD", STREAM, "MAXLEN", "~", "1000000", "*"));
        args.addAll(List.of(fields));
        redis.cli(args.toArray(String[]::new));
    }

    @Test
    void anEntryWrittenWithRedisCliIsAppliedByEveryRouter() throws Exception {
        directory.put("acme.example.com", "pod0").put("other.example.com", "pod0");
        Podrouter a = router(redis.port());
        Podrouter b = router(redis.port());
        for (Podrouter r : List.of(a, b)) {
            assertThat(podFor(r, "acme.example.com")).isEqualTo("pod0");
        }
        assertThat(podFor(a, "other.example.com")).isEqualTo("pod0");

        directory.put("acme.example.com", "pod1");
        xadd("key", "acme.example.com", "backend", "pod1");
        for (Podrouter r : List.of(a, b)) {
            awaitPod(r, "acme.example.com", "pod1");
        }
        // The move replaced the cached answers: no router asked the directory again.
        assertThat(directory.lookups("acme.example.com")).isEqualTo(2);

        // A key a router does not hold is ignored, and not created.
        xadd("key", "stranger.example.com", "backend", "pod2");
        await(5_000, "the entry is read", () -> b.routeChanges().ignored() >= 1);
        assertThat(b.routeCache().entry("stranger.example.com")).isNull();

        // key * with a backend forgets the answers naming it; the next request asks the directory.
        xadd("key", "*", "backend", "pod0");
        await(5_000, "other.example.com forgotten", () -> a.routeCache().entry("other.example.com") == null);
        assertThat(a.routeCache().entry("acme.example.com")).isNotNull();
        assertThat(podFor(a, "other.example.com")).isEqualTo("pod0");
        assertThat(directory.lookups("other.example.com")).isEqualTo(2);

        // An empty backend forgets the key; key * alone forgets everything.
        xadd("key", "acme.example.com", "backend", "");
        await(5_000, "acme.example.com forgotten", () -> a.routeCache().entry("acme.example.com") == null
                && b.routeCache().entry("acme.example.com") == null);
        xadd("key", "*");
        await(5_000, "everything forgotten", () -> a.routeCache().size() == 0);
        assertThat(a.routeChanges().skipped()).isZero();
    }

    @Test
    void aRouterCutOffFromRedisForTenSecondsKeepsServingAndAppliesTheMovesWhenBack() throws Exception {
        List<String> tenants = List.of("t0.example.com", "t1.example.com", "t2.example.com", "t3.example.com");
        tenants.forEach(t -> directory.put(t, "pod0"));
        TcpForwarder cut = new TcpForwarder(redis.port());
        toClose.add(cut);
        Podrouter router = router(cut.port());
        for (String t : tenants) {
            assertThat(podFor(router, t)).isEqualTo("pod0");
        }

        cut.cut();
        await(10_000, "the router sees it is cut off", () -> !router.routeChanges().connected());
        long start = System.nanoTime();
        int served = 0;
        List<String> errors = new ArrayList<>();
        boolean moved = false;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
            for (String t : tenants) {
                String pod = podFor(router, t);
                served++;
                if (!pod.equals("pod0")) {
                    errors.add(t + ": " + pod);
                }
            }
            if (!moved && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(2)) {
                for (String t : tenants) {
                    directory.put(t, "pod2");
                    xadd("key", t, "backend", "pod2");
                }
                moved = true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(errors).isEmpty();
        assertThat(served).isGreaterThan(100);
        assertThat(router.routeChanges().connected()).isFalse();

        cut.restore();
        for (String t : tenants) {
            awaitPod(router, t, "pod2");
        }
        assertThat(router.routeChanges().applied()).isEqualTo(tenants.size());
        for (String t : tenants) {
            assertThat(directory.lookups(t)).as("lookups of " + t).isEqualTo(1);
        }
    }

    @Test
    void aStreamTrimmedPastWhatACutOffRouterReadMakesItRefreshWhatItHolds() throws Exception {
        directory.put("held.example.com", "pod0").put("kept.example.com", "pod0");
        TcpForwarder cut = new TcpForwarder(redis.port());
        toClose.add(cut);
        Podrouter router = router(cut.port());
        assertThat(podFor(router, "held.example.com")).isEqualTo("pod0");
        assertThat(podFor(router, "kept.example.com")).isEqualTo("pod0");
        xadd("key", "unrelated.example.com", "backend", "pod1");
        await(5_000, "the first entry is read", () -> router.routeChanges().ignored() == 1);

        cut.cut();
        await(10_000, "the router sees it is cut off", () -> !router.routeChanges().connected());
        directory.put("held.example.com", "pod1");
        xadd("key", "held.example.com", "backend", "pod1");
        redis.cli("XTRIM", STREAM, "MAXLEN", "0"); // the move is gone, and so is what the router read last
        cut.restore();
        await(10_000, "the router reads the stream again", () -> router.routeChanges().connected());
        assertThat(router.routeChanges().state().gaps()).isEqualTo(1);

        // Still served from the cache, and its next hit looks it up once more.
        assertThat(podFor(router, "held.example.com")).isIn("pod0", "pod1");
        await(5_000, "held.example.com looked up again", () -> directory.lookups("held.example.com") == 2);
        awaitPod(router, "held.example.com", "pod1");
        assertThat(directory.lookups("held.example.com")).isEqualTo(2);
        assertThat(directory.lookups("kept.example.com")).isEqualTo(1);
    }

    @Test
    void malformedEntriesAreSkippedLoggedOnceEachAndCountedAndChangeNothing() throws Exception {
        directory.put("acme.example.com", "pod0");
        Podrouter router = router(redis.port());
        assertThat(podFor(router, "acme.example.com")).isEqualTo("pod0");
        try (CapturedLog lines = CapturedLog.of(RouteChangeApplier.class)) {
            xadd("key", "Acme.example.com", "backend", "pod1");          // not canonical
            xadd("key", "acme.example.com:8080", "backend", "pod1");     // a port
            xadd("key", "acme..example.com", "backend", "pod1");         // no host name
            xadd("key", "acme.example.com", "backend", "pod9");          // no such pod
            xadd("key", "acme.example.com", "backend", "pod1", "junk", "x"); // unknown field
            xadd("backend", "pod1");                                     // no key
            xadd("key", "acme.example.com", "backend", "pod1", "ttl", "soon"); // bad ttl
            xadd("key", "*", "backend", "pod9");                         // no such pod
            await(5_000, "8 entries skipped", () -> router.routeChanges().skipped() == 8);
            assertThat(podFor(router, "acme.example.com")).isEqualTo("pod0");
            assertThat(router.routeChanges().applied()).isZero();
            assertThat(lines.events()).hasSize(8).allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("skipped"));

            // The stream goes on: a good entry after them is applied.
            xadd("key", "acme.example.com", "backend", "pod1", "ttl", "60");
            awaitPod(router, "acme.example.com", "pod1");
            assertThat(router.routeCache().entry("acme.example.com").expiresInMillis()).isBetween(50_000L, 60_000L);
            assertThat(directory.lookups("acme.example.com")).isEqualTo(1);
        }
    }

    @Test
    void theReferenceDirectoryPublishesEveryPutDeleteAndMapFileChange() throws Exception {
        Path map = dir.resolve("tenants.map");
        Files.writeString(map, "acme.example.com pod0\nfile.example.com pod0\n");
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        toClose.add(() -> loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        RouteChangePublisher publisher = new RouteChangePublisher(redis.uri(), redis.uri(), STREAM);
        toClose.add(publisher);
        DirectoryServer gds = DirectoryServer.start(map, HostAndPort.parse("127.0.0.1:0"), loops,
                NioServerSocketChannel.class, publisher::publish);
        toClose.add(gds);
        Podrouter router = router("http://127.0.0.1:" + gds.localAddress().getPort() + DirectoryServer.PREFIX + "{key}",
                redis.uri());
        assertThat(podFor(router, "acme.example.com")).isEqualTo("pod0");
        assertThat(podFor(router, "file.example.com")).isEqualTo("pod0");

        try (RawHttp admin = new RawHttp(gds.localAddress().getPort())) {
            RawHttp.Response put = admin.send("PUT " + DirectoryServer.PREFIX + "acme.example.com HTTP/1.1\r\n"
                    + "Host: gds\r\nContent-Length: 4\r\n\r\npod1").read();
            assertThat(put.status()).isEqualTo(204);
        }
        awaitPod(router, "acme.example.com", "pod1");

        Files.writeString(map, "acme.example.com pod0\nfile.example.com pod2\n");
        Files.setLastModifiedTime(map, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        awaitPod(router, "file.example.com", "pod2");
        assertThat(podFor(router, "acme.example.com")).as("the PUT still overrides the file").isEqualTo("pod1");

        try (RawHttp admin = new RawHttp(gds.localAddress().getPort())) {
            RawHttp.Response delete = admin.send("DELETE " + DirectoryServer.PREFIX + "acme.example.com HTTP/1.1\r\n"
                    + "Host: gds\r\n\r\n").read();
            assertThat(delete.status()).isEqualTo(204);
        }
        await(5_000, "acme.example.com is no tenant any more", () -> {
            try {
                return podFor(router, "acme.example.com").equals("status 404");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(gds.lookups()).as("one lookup per key, and one after the deletion").isEqualTo(3);
    }
}
