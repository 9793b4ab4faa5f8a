package io.podrouter.bench;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.backend.ServerAddress;
import io.podrouter.backend.UpstreamPool;
import io.podrouter.config.CacheConfig;
import io.podrouter.config.DirectoryConfig;
import io.podrouter.config.DirectoryUrl;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.RoutingConfig;
import io.podrouter.config.UnknownRoute;
import io.podrouter.config.WarmStartConfig;
import io.podrouter.directory.DirectoryClient;
import io.podrouter.directory.DirectoryServer;
import io.podrouter.directory.RouteCache;
import io.podrouter.routing.RequestRouter;
import io.podrouter.routing.Route;
import io.podrouter.routing.RouteTable;
import io.podrouter.routing.RoutingKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-request work of routing, without the network: routing-key normalisation, a static
 * route-table hit, a hit in the cache of directory answers, and the server pick. Run with
 * {@code mvn -Pjmh test-compile exec:exec}; {@code -prof gc} shows the bytes allocated per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPathBenchmark {
    private static final int TENANTS = 1000;

    private EventLoopGroup group;
    private EventLoop loop;
    private DirectoryServer directory;
    private RequestRouter router;
    private Pod pod;
    private HttpRequest staticHit;
    private HttpRequest cacheHit;
    private String canonicalHost;
    private String mixedCaseHost;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        directory = DirectoryServer.start(null, HostAndPort.parse("127.0.0.1:0"), group, NioServerSocketChannel.class);
        Bootstrap connections = new Bootstrap().channel(NioSocketChannel.class);
        Map<String, Pod> pods = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            HostAndPort address = HostAndPort.parse("127.0.0.1:" + (9001 + i));
            pods.put("pod" + i, new Pod("pod" + i, List.of(
                    new Server(address, new UpstreamPool(ServerAddress.of(address), connections, 8)),
                    new Server(address, new UpstreamPool(ServerAddress.of(address), connections, 8)))));
        }
        pod = pods.get("pod0");
        Map<String, Pod> routes = new HashMap<>();
        for (int i = 0; i < TENANTS; i++) {
            routes.put("static" + i + ".example.com", pods.get("pod" + i % 3));
            directory.put("dynamic" + i + ".example.com", "pod" + i % 3);
        }
        RouteTable table = new RouteTable(pods.values(), routes, null);
        DirectoryConfig dc = new DirectoryConfig(List.of(DirectoryUrl.parse(
                "http://127.0.0.1:" + directory.localAddress().getPort() + DirectoryServer.PREFIX + "{key}")),
                Duration.ofSeconds(2), 1024, 4096, 5, Duration.ofSeconds(5), 32);
        RoutingConfig rc = new RoutingConfig("host", null, List.of(), UnknownRoute.NOT_FOUND, dc, CacheConfig.DEFAULTS, false, null,
                WarmStartConfig.DEFAULTS);
        RouteCache<Route> cache = new RouteCache<>(new DirectoryClient(dc, connections), CacheConfig.DEFAULTS,
                table::routeToPod, new RouteCache.Outcomes<>(RequestRouter.unknownRoute(table, rc),
                RequestRouter.INVALID_ANSWER, RequestRouter.DIRECTORY_FAILED), Ticker.systemTicker());
        router = new RequestRouter(table, cache, rc);
        CompletableFuture<Route> done = new CompletableFuture<>();
        loop.execute(() -> cache.resolve("dynamic7.example.com", loop, done::complete));
        if (!(done.get(5, TimeUnit.SECONDS) instanceof Route.To)) {
            throw new IllegalStateException("the directory did not resolve the benchmark's tenant");
        }
        staticHit = request("static7.example.com");
        cacheHit = request("dynamic7.example.com");
        canonicalHost = "tenant42.example.com";
        mixedCaseHost = "Tenant42.Example.COM:8080";
    }

    private static HttpRequest request(String host) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/index.html");
        r.headers().set(HttpHeaderNames.HOST, host).set(HttpHeaderNames.ACCEPT, "*/*");
        return r;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        directory.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Benchmark
    public String normalizeCanonicalHost() {
        return RoutingKey.normalize(canonicalHost);
    }

    @Benchmark
    public String normalizeMixedCaseHostWithPort() {
        return RoutingKey.normalize(mixedCaseHost);
    }

    @Benchmark
    public Route routeStaticHit() {
        return router.route(staticHit, null, loop);
    }

    @Benchmark
    public Route routeCacheHit() {
        return router.route(cacheHit, null, loop);
    }

    /** Never called: the pod has no maxconn, so a server is always free. */
    private static final Pod.Waiter NEVER_QUEUED = new Pod.Waiter() {
        @Override
        public void granted(Server server) {
            throw new IllegalStateException("queued");
        }

        @Override
        public void refused(Pod.Refusal refusal) {
            throw new IllegalStateException("refused: " + refusal);
        }
    };

    /** Taking a slot on the next server (round-robin) and giving it back, as every request does. */
    @Benchmark
    public Server pickServer() {
        Server s = pod.acquire(null, null, loop, NEVER_QUEUED);
        pod.release(s);
        return s;
    }
}
