package io.podrouter.admin;

import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.directory.DirectoryClient;
import io.podrouter.directory.RouteCache;
import io.podrouter.proxy.ClientConnections;
import io.podrouter.proxy.RequestMetrics;
import io.podrouter.routing.Route;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collection;

/**
 * The router's metrics in Prometheus text format. The hot path only bumps adders that already
 * exist (per pod and status, per cache result); this reads them when scraped.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param cache the directory answers, or null when there is no directory
     */
    public Metrics(Collection<Pod> pods, RequestMetrics requests, ClientConnections clients, RouteCache<Route> cache) {
        CounterWithCallback.builder()
                .name("podrouter_requests")
                .help("Requests answered, by pod (none: answered before a pod was chosen) and status; 499: client went away")
                .labelNames("backend", "code")
                .callback(cb -> {
                    requests.unrouted().forEach((code, n) -> cb.call(n, "none", Integer.toString(code)));
                    for (Pod pod : pods) {
                        pod.responses().forEach((code, n) -> cb.call(n, pod.name(), Integer.toString(code)));
                    }
                })
                .register(registry);
        registry.register(requests.duration());
        GaugeWithCallback.builder()
                .name("podrouter_connections")
                .help("Open connections, by side: client (accepted) or server (to pods' servers)")
                .labelNames("side")
                .callback(cb -> {
                    cb.call(clients.size(), "client");
                    long servers = 0;
                    for (Pod pod : pods) {
                        for (Server s : pod.servers()) {
                            servers += s.pool().openConnections();
                        }
                    }
                    cb.call(servers, "server");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_backend_queue")
                .help("Requests waiting for a free server, by pod")
                .labelNames("backend")
                .callback(cb -> pods.forEach(pod -> cb.call(pod.queued(), pod.name())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_server_up")
                .help("1 when a server takes requests (healthy and ready), else 0")
                .labelNames("backend", "server")
                .callback(cb -> pods.forEach(pod -> pod.servers()
                        .forEach(s -> cb.call(s.isUp() ? 1 : 0, pod.name(), s.address().toString()))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("podrouter_server_active_requests")
                .help("Requests a server is serving now")
                .labelNames("backend", "server")
                .callback(cb -> pods.forEach(pod -> pod.servers()
                        .forEach(s -> cb.call(s.active(), pod.name(), s.address().toString()))))
                .register(registry);
        if (cache != null) {
            DirectoryClient directory = cache.directory();
            CounterWithCallback.builder()
                    .name("podrouter_directory_lookups")
                    .help("Lookups of the tenant directory, by outcome")
                    .labelNames("outcome")
                    .callback(cb -> directory.outcomes().forEach((outcome, n) -> cb.call(n, outcome)))
                    .register(registry);
            registry.register(directory.durationHistogram());
            GaugeWithCallback.builder()
                    .name("podrouter_directory_circuit_open")
                    .help("1 while lookups fail fast because the directory keeps failing")
                    .callback(cb -> cb.call(directory.circuitOpen() ? 1 : 0))
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("podrouter_route_cache_entries")
                    .help("Directory answers cached")
                    .callback(cb -> cb.call(cache.size()))
                    .register(registry);
            CounterWithCallback.builder()
                    .name("podrouter_route_cache_requests")
                    .help("Route cache lookups by result: hit, negative (a cached 404 or unusable answer), miss, stale (served past its TTL while the directory failed)")
                    .labelNames("result")
                    .callback(cb -> {
                        RouteCache.Counts c = cache.counts();
                        cb.call(c.hits(), "hit");
                        cb.call(c.negative(), "negative");
                        cb.call(c.misses(), "miss");
                        cb.call(c.stale(), "stale");
                    })
                    .register(registry);
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
