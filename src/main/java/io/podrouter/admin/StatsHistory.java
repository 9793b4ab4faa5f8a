package io.podrouter.admin;

import io.netty.util.concurrent.EventExecutor;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.directory.RouteCache;
import io.podrouter.routing.Route;
import io.podrouter.stats.BusiestTenants;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The last ten minutes, second by second, for the stats page's charts, and the busiest tenants
 * of the last minute. Once a second, on the admin event loop, it reads the counters the request
 * path keeps anyway (per-pod status counts, the duration histogram, cache and directory counts)
 * and stores the differences in fixed arrays used as a ring; the request path does no more work
 * for it, except counting routing keys into its event loop's sketch.
 */
final class StatsHistory {
    static final int SECONDS = 600;
    static final int TOP = 20;
    /** Keys kept per second of the busiest-tenants window. */
    static final int KEYS_PER_SECOND = 1024;

    private final RouterView router;
    private final EventExecutor loop;
    private final BusiestTenants busiest = new BusiestTenants(60, KEYS_PER_SECOND);

    private final long[] time = new long[SECONDS];
    private final long[][] classes = new long[5][SECONDS];
    private final double[] p50 = new double[SECONDS];
    private final double[] p99 = new double[SECONDS];
    private final double[] hitRatio = new double[SECONDS];
    private final long[] lookups = new long[SECONDS];
    private final long[] failures = new long[SECONDS];
    private final long[] clientConnections = new long[SECONDS];
    private final long[] serverConnections = new long[SECONDS];
    private int next;
    private int filled;

    private long[] lastClasses;
    private long[] lastBuckets;
    private long lastHits = -1;
    private long lastLooked;
    private long lastLookups = -1;
    private long lastFailures;

    StatsHistory(RouterView router, EventExecutor loop) {
        this.router = router;
        this.loop = loop;
    }

    /** Samples once a second from now on, on {@code loop} (the admin listener's). */
    void start() {
        // The counters as they are now are the baseline the first second is measured from.
        loop.execute(() -> measure(next));
        loop.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    void sample() {
        measure(next);
        next = (next + 1) % SECONDS;
        filled = Math.min(filled + 1, SECONDS);
        // The sketches the loops hand over now land in the second that starts now.
        busiest.tick(TOP);
        router.requestMetrics().tenants().collect(loop, busiest::add);
    }

    /** Fills slot {@code i} with what changed since the last measurement. */
    private void measure(int i) {
        time[i] = System.currentTimeMillis();
        long[] nowClasses = statusClasses();
        for (int c = 0; c < 5; c++) {
            classes[c][i] = lastClasses == null ? 0 : Math.max(0, nowClasses[c] - lastClasses[c]);
        }
        lastClasses = nowClasses;
        latency(i);
        RouteCache<Route> cache = router.cache();
        if (cache != null) {
            RouteCache.Counts counts = cache.counts();
            long hits = counts.hits() + counts.negative();
            long looked = hits + counts.misses();
            hitRatio[i] = lastHits < 0 || looked - lastLooked <= 0 ? Double.NaN
                    : (double) (hits - lastHits) / (looked - lastLooked);
            lastHits = hits;
            lastLooked = looked;
            long all = 0;
            long failed = 0;
            for (Map.Entry<String, Long> e : cache.directory().outcomes().entrySet()) {
                all += e.getValue();
                if (!e.getKey().equals("tenant") && !e.getKey().equals("not_tenant")) {
                    failed += e.getValue();
                }
            }
            lookups[i] = lastLookups < 0 ? 0 : Math.max(0, all - lastLookups);
            failures[i] = lastLookups < 0 ? 0 : Math.max(0, failed - lastFailures);
            lastLookups = all;
            lastFailures = failed;
        } else {
            hitRatio[i] = Double.NaN;
            lookups[i] = 0;
            failures[i] = 0;
        }
        clientConnections[i] = router.clients().size();
        long servers = 0;
        for (Pod pod : router.pods()) {
            for (Server s : pod.servers()) {
                servers += s.pool().openConnections();
            }
        }
        serverConnections[i] = servers;
    }

    /** Requests answered so far by status class (1xx to 5xx), pods and the router's own answers together. */
    private long[] statusClasses() {
        long[] out = new long[5];
        router.requestMetrics().unrouted().forEach((code, n) -> out[Math.max(0, Math.min(code / 100, 5) - 1)] += n);
        for (Pod pod : router.pods()) {
            pod.responses().forEach((code, n) -> out[Math.max(0, Math.min(code / 100, 5) - 1)] += n);
        }
        return out;
    }

    /** p50 and p99 of the last second's requests, interpolated within the duration histogram's buckets. */
    private void latency(int i) {
        HistogramSnapshot snapshot = router.requestMetrics().duration().collect();
        if (snapshot.getDataPoints().isEmpty()) {
            p50[i] = p99[i] = Double.NaN;
            return;
        }
        ClassicHistogramBuckets buckets = snapshot.getDataPoints().get(0).getClassicBuckets();
        long[] now = new long[buckets.size()];
        for (int b = 0; b < now.length; b++) {
            now[b] = buckets.getCount(b);
        }
        long[] delta = new long[now.length];
        long n = 0;
        for (int b = 0; b < now.length; b++) {
            delta[b] = lastBuckets == null || lastBuckets.length != now.length ? 0 : Math.max(0, now[b] - lastBuckets[b]);
            n += delta[b];
        }
        lastBuckets = now;
        p50[i] = quantile(buckets, delta, n, 0.50);
        p99[i] = quantile(buckets, delta, n, 0.99);
    }

    /** In milliseconds; NaN when there was no request. */
    static double quantile(ClassicHistogramBuckets buckets, long[] counts, long n, double q) {
        if (n == 0) {
            return Double.NaN;
        }
        double rank = q * n;
        long seen = 0;
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] > 0 && seen + counts[b] >= rank) {
                double lower = b == 0 ? 0 : buckets.getUpperBound(b - 1);
                double upper = buckets.getUpperBound(b);
                if (Double.isInfinite(upper)) {
                    return lower * 1000;
                }
                return (lower + (upper - lower) * (rank - seen) / counts[b]) * 1000;
            }
            seen += counts[b];
        }
        return Double.NaN;
    }

    /** The series, oldest first, as the stats page reads them. */
    Map<String, Object> history() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("interval_s", 1);
        out.put("time_ms", series(time));
        Map<String, Object> requests = new LinkedHashMap<>();
        for (int c = 0; c < 5; c++) {
            requests.put((c + 1) + "xx", series(classes[c]));
        }
        out.put("requests_per_s", requests);
        out.put("latency_ms", Map.of("p50", series(p50), "p99", series(p99)));
        out.put("cache_hit_ratio", series(hitRatio));
        out.put("directory_per_s", Map.of("lookups", series(lookups), "failures", series(failures)));
        out.put("connections", Map.of("client", series(clientConnections), "server", series(serverConnections)));
        return out;
    }

    /** The busiest tenants of the last minute. */
    Map<String, Object> topTenants() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("window_s", busiest.windowSeconds());
        out.put("requests", busiest.windowTotal());
        List<Map<String, Object>> tenants = new ArrayList<>();
        for (BusiestTenants.Tenant t : busiest.top()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", t.key());
            m.put("pod", t.pod());
            m.put("requests", t.requests());
            m.put("per_s", Math.round(t.perSecond() * 10) / 10.0);
            m.put("share", Math.round(t.share() * 10_000) / 10_000.0);
            tenants.add(m);
        }
        out.put("tenants", tenants);
        return out;
    }

    private List<Long> series(long[] values) {
        List<Long> out = new ArrayList<>(filled);
        for (int k = 0; k < filled; k++) {
            out.add(values[(next - filled + k + SECONDS) % SECONDS]);
        }
        return out;
    }

    /** NaN (nothing to measure that second) is written as null. */
    private List<Double> series(double[] values) {
        List<Double> out = new ArrayList<>(filled);
        for (int k = 0; k < filled; k++) {
            double v = values[(next - filled + k + SECONDS) % SECONDS];
            out.add(Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0);
        }
        return out;
    }
}
