package io.podrouter.admin;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.backend.SocketBudget;
import io.podrouter.directory.DirectoryClient;
import io.podrouter.directory.RouteCache;
import io.podrouter.fleet.RouteChangeStream;
import io.podrouter.proxy.ClientConnections;
import io.podrouter.proxy.RequestMetrics;
import io.podrouter.routing.Route;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The router's metrics in Prometheus text format. The hot path only bumps adders that already
 * exist (per pod and status, per cache result); this reads them when scraped.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public Metrics(RouterView router) {
        RequestMetrics requests = router.requestMetrics();
        ClientConnections clients = router.clients();
        CounterWithCallback.builder()
                .name("podrouter_requests")
                .help("Requests answered, by pod (none: answered before a pod was chosen) and status; 499: client went away")
                .labelNames("backend", "code")
                .callback(cb -> {
                    requests.unrouted().forEach((code, n) -> cb.call(n, "none", Integer.toString(code)));
                    for (Pod pod : router.pods()) {
                        pod.responses().forEach((code, n) -> cb.call(n, pod.name(), Integer.toString(code)));
                    }
                })
                .register(registry);
        registry.register(requests.duration());
        registry.register(requests.retries());
        GaugeWithCallback.builder()
                .name("podrouter_connections")
                .help("Open connections, by side: client (accepted) or server (to pods' servers)")
                .labelNames("side")
                .callback(cb -> {
                    cb.call(clients.size(), "client");
                    long servers = 0;
                    for (Pod pod : router.pods()) {
                        for (Server s : pod.servers()) {
                            servers += s.pool().openConnections();
                        }
                    }
                    cb.call(servers, "server");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_sockets")
                .help("Sockets (client and server connections) by state: open, or limit (the file-descriptor limit less a "
                        + "reserve); at the limit, requests wait for a server connection another gives back")
                .labelNames("state")
                .callback(cb -> {
                    cb.call(SocketBudget.PROCESS.open(), "open");
                    cb.call(SocketBudget.PROCESS.limit(), "limit");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_buffer_memory_bytes")
                .help("Memory Netty's buffer allocator holds, by kind (direct, heap): growing under a steady load, a leak")
                .labelNames("kind")
                .callback(cb -> {
                    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
                        ByteBufAllocatorMetric metric = provider.metric();
                        cb.call(metric.usedDirectMemory(), "direct");
                        cb.call(metric.usedHeapMemory(), "heap");
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_backend_queue")
                .help("Requests waiting for a free server, by pod")
                .labelNames("backend")
                .callback(cb -> router.pods().forEach(pod -> cb.call(pod.queued(), pod.name())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_server_up")
                .help("1 when a server takes requests (healthy and ready), else 0")
                .labelNames("backend", "server")
                .callback(cb -> router.pods().forEach(pod -> pod.servers()
                        .forEach(s -> cb.call(s.isUp() ? 1 : 0, pod.name(), s.address().toString()))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_server_active_requests")
                .help("Requests a server is serving now")
                .labelNames("backend", "server")
                .callback(cb -> router.pods().forEach(pod -> pod.servers()
                        .forEach(s -> cb.call(s.active(), pod.name(), s.address().toString()))))
                .register(registry);
        CounterWithCallback.builder()
                .name("podrouter_directory_lookups")
                .help("Lookups of the tenant directory, by outcome")
                .labelNames("outcome")
                .callback(cb -> {
                    RouteCache<Route> cache = router.cache();
                    if (cache != null) {
                        cache.directory().outcomes().forEach((outcome, n) -> cb.call(n, outcome));
                    }
                })
                .register(registry);
        registry.register(new DirectoryDurations(router));
        CounterWithCallback.builder()
                .name("podrouter_directory_hedges")
                .help("Hedged lookups: the next directory URL also asked because the first was slower than hedge-after")
                .callback(cb -> {
                    RouteCache<Route> cache = router.cache();
                    if (cache != null) {
                        cb.call(cache.directory().hedges());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_directory_queue")
                .help("Lookups waiting for a place because max-in-flight are in flight")
                .callback(cb -> {
                    RouteCache<Route> cache = router.cache();
                    cb.call(cache == null ? 0 : cache.directory().queuedNow());
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_directory_circuit_open")
                .help("1 while lookups fail fast because the directory keeps failing")
                .callback(cb -> {
                    RouteCache<Route> cache = router.cache();
                    if (cache != null) {
                        cb.call(cache.directory().circuitOpen() ? 1 : 0);
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_route_cache_entries")
                .help("Directory answers cached")
                .callback(cb -> {
                    RouteCache<Route> cache = router.cache();
                    cb.call(cache == null ? 0 : cache.size());
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("podrouter_route_cache_requests")
                .help("Route cache lookups by result: hit, negative (a cached 404 or unusable answer), miss, stale (served past its TTL while the directory failed)")
                .labelNames("result")
                .callback(cb -> {
                    RouteCache<Route> cache = router.cache();
                    if (cache != null) {
                        RouteCache.Counts c = cache.counts();
                        cb.call(c.hits(), "hit");
                        cb.call(c.negative(), "negative");
                        cb.call(c.misses(), "miss");
                        cb.call(c.stale(), "stale");
                    }
                })
                .register(registry);
        if (router.routeChanges() != null) {
            registerRouteChanges(router.routeChanges());
        }
    }

    private void registerRouteChanges(RouteChangeStream stream) {
        GaugeWithCallback.builder()
                .name("podrouter_invalidation_connected")
                .help("1 while the stream of tenant moves is being read from Redis, else 0")
                .callback(cb -> cb.call(stream.connected() ? 1 : 0))
                .register(registry);
        CounterWithCallback.builder()
                .name("podrouter_invalidation_events")
                .help("Stream entries read, by result: applied (changed a cached answer), ignored (about nothing cached), skipped (malformed or naming no configured pod)")
                .labelNames("result")
                .callback(cb -> {
                    cb.call(stream.applied(), "applied");
                    cb.call(stream.ignored(), "ignored");
                    cb.call(stream.skipped(), "skipped");
                })
                .register(registry);
        registry.register(stream.lag());
    }

    /** The current directory client's lookup durations (a reload may bring a new client). */
    private record DirectoryDurations(RouterView router) implements io.prometheus.metrics.model.registry.Collector {
        @Override
        public io.prometheus.metrics.model.snapshots.MetricSnapshot collect() {
            RouteCache<Route> cache = router.cache();
            return cache == null ? null : cache.directory().durationHistogram().collect();
        }

        @Override
        public String getPrometheusName() {
            return "podrouter_directory_lookup_duration_seconds";
        }
    }

    public String contentType() {
        return writer.getContentType();
    }

    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write metrics", e);
        }
        return out.toByteArray();
    }
}
