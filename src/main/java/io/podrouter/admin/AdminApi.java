package io.podrouter.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.directory.RouteCache;
import io.podrouter.fleet.RouteChangeStream;
import io.podrouter.routing.Route;
import io.podrouter.routing.RouteTable;
import io.podrouter.routing.RoutingKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime API over the route map and the pods, as plain data in and out: the admin server
 * turns requests into calls here and the answers into JSON.
 *
 * <pre>
 * GET    /maps?limit=N&amp;after=KEY[&amp;source=S]  static entries and cached answers, in key order, paged
 * GET    /maps/{key}                       one entry: backend, source, age, expires-in, hits
 * PUT    /maps/{key}                       body: backend name; adds or replaces a static entry
 * DELETE /maps/{key}                       removes the static entry and the cached answer
 * POST   /maps/purge[?backend=NAME]        drops cached answers (of one backend)
 * GET    /backends                         pods and servers: state, health, active, queued
 * PUT    /backends/{pod}/servers/{address}/state   body: ready | drain | maint
 * GET    /invalidation                     the stream of tenant moves: connected, last ID, lag, counts
 * GET    /metrics                          Prometheus text format
 * GET    /stats                            the stats page (HTML, reads /stats.json every 2 s)
 * GET    /stats.json                       counters, the last 10 minutes second by second, the busiest tenants
 * GET    /tenants/top                      the 20 busiest routing keys of the last minute, with pod and share
 * POST   /reload                           re-read the configuration (kept as is when invalid)
 * </pre>
 */
final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 10_000;

    private final RouterView router;
    private final Metrics metrics;
    private final byte[] statsPage;
    private final StatsHistory history;
    private RouteTable table;
    private RouteCache<Route> cache;

    AdminApi(RouterView router, Metrics metrics, StatsHistory history) {
        this.router = router;
        this.metrics = metrics;
        this.history = history;
        try (var in = AdminApi.class.getResourceAsStream("stats.html")) {
            this.statsPage = in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("the stats page is missing from the jar", e);
        }
    }

    /** A body that is not JSON: written as is, with its content type. */
    record Raw(String contentType, byte[] bytes) {
    }

    /** An answer: an HTTP status and a value to write as JSON. */
    record Answer(int status, Object body) {
        static Answer ok(Object body) {
            return new Answer(200, body);
        }

        static Answer error(int status, String message) {
            return new Answer(status, Map.of("error", message));
        }
    }

    /** Runs on the admin listener's single event loop, so the fields below are its own. */
    Answer handle(HttpMethod method, String uri, byte[] body) {
        table = router.table();
        cache = router.cache();
        QueryStringDecoder q = new QueryStringDecoder(uri);
        if (q.path().equals("/reload") && method.equals(HttpMethod.POST)) {
            List<String> errors = router.reload();
            return errors.isEmpty() ? Answer.ok(Map.of("reloaded", true))
                    : new Answer(400, Map.of("reloaded", false, "errors", errors));
        }
        if (method.equals(HttpMethod.GET)) {
            switch (q.path()) {
                case "/metrics":
                    return Answer.ok(new Raw(metrics.contentType(), metrics.scrape()));
                case "/stats":
                case "/":
                    return Answer.ok(new Raw("text/html; charset=utf-8", statsPage));
                case "/stats.json":
                    return Answer.ok(stats());
                case "/tenants/top":
                    return Answer.ok(history.topTenants());
                case "/invalidation":
                    return invalidation();
                default:
                    break;
            }
        }
        String[] parts = q.path().replaceAll("^/+|/+$", "").split("/");
        if (parts.length >= 1 && parts[0].equals("maps")) {
            if (parts.length == 1 && method.equals(HttpMethod.GET)) {
                return listMaps(param(q, "limit"), param(q, "after"), param(q, "source"));
            }
            if (parts.length == 2 && parts[1].equals("purge") && method.equals(HttpMethod.POST)) {
                return purge(param(q, "backend"));
            }
            if (parts.length == 2) {
                String key = q.path().substring("/maps/".length());
                if (method.equals(HttpMethod.GET)) {
                    return getMap(key);
                }
                if (method.equals(HttpMethod.PUT)) {
                    return putMap(key, new String(body, StandardCharsets.UTF_8).trim());
                }
                if (method.equals(HttpMethod.DELETE)) {
                    return deleteMap(key);
                }
            }
            return Answer.error(405, "method not allowed here");
        }
        if (parts.length >= 1 && parts[0].equals("backends")) {
            if (parts.length == 1 && method.equals(HttpMethod.GET)) {
                return backends();
            }
            if (parts.length == 5 && parts[2].equals("servers") && parts[4].equals("state") && method.equals(HttpMethod.PUT)) {
                return setServerState(parts[1], parts[3], new String(body, StandardCharsets.UTF_8).trim());
            }
            return Answer.error(405, "method not allowed here");
        }
        return Answer.error(404, "no such resource: " + q.path());
    }

    private static String param(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private Answer listMaps(String limitText, String after, String source) {
        if (source != null && !List.of("static", "directory", "negative", "invalid").contains(source)) {
            return Answer.error(400, "source must be static, directory, negative or invalid");
        }
        int limit = DEFAULT_PAGE;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                return Answer.error(400, "limit must be a number");
            }
            if (limit < 1 || limit > MAX_PAGE) {
                return Answer.error(400, "limit must be between 1 and " + MAX_PAGE);
            }
        }
        TreeMap<String, Map<String, Object>> all = new TreeMap<>();
        if (cache != null && !"static".equals(source)) {
            for (RouteCache.Entry<Route> e : cache.entries()) {
                if (source == null || source.equals(e.kind())) {
                    all.put(e.key(), describe(e));
                }
            }
        }
        if (source == null || source.equals("static")) {
            table.entries().forEach((k, backend) -> all.put(k, staticEntry(k, backend)));
        } else {
            table.entries().keySet().forEach(all::remove); // a static entry hides a cached answer
        }
        Map<String, Map<String, Object>> page = after == null ? all : all.tailMap(after, false);
        List<Map<String, Object>> entries = new ArrayList<>(Math.min(limit, page.size()));
        String last = null;
        for (Map.Entry<String, Map<String, Object>> e : page.entrySet()) {
            if (entries.size() == limit) {
                break;
            }
            entries.add(e.getValue());
            last = e.getKey();
        }
        boolean more = last != null && all.higherKey(last) != null;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("entries", entries);
        out.put("next", more ? last : null);
        return Answer.ok(out);
    }

    private Answer getMap(String rawKey) {
        String key = RoutingKey.normalize(rawKey);
        if (key == null) {
            return Answer.error(400, "not a valid routing key: " + rawKey);
        }
        String backend = table.entries().get(key);
        if (backend != null) {
            return Answer.ok(staticEntry(key, backend));
        }
        RouteCache.Entry<Route> e = cache == null ? null : cache.entry(key);
        return e == null ? Answer.error(404, "no entry for " + key) : Answer.ok(describe(e));
    }

    private Answer putMap(String rawKey, String backend) {
        String key = RoutingKey.normalize(rawKey);
        if (key == null) {
            return Answer.error(400, "not a valid routing key: " + rawKey);
        }
        if (!table.put(key, backend)) {
            return Answer.error(400, "no backend named '" + backend + "' (configured: " + table.pods().keySet() + ")");
        }
        if (cache != null) {
            cache.invalidate(key);
        }
        log.info("admin: {} now routes to {} (static entry)", key, backend);
        String persistError = persist();
        if (persistError != null) {
            return Answer.error(500, "the entry is in effect, but " + persistError);
        }
        return Answer.ok(staticEntry(key, backend));
    }

    private Answer deleteMap(String rawKey) {
        String key = RoutingKey.normalize(rawKey);
        if (key == null) {
            return Answer.error(400, "not a valid routing key: " + rawKey);
        }
        boolean wasStatic = table.remove(key);
        boolean wasCached = cache != null && cache.entry(key) != null;
        if (cache != null) {
            cache.invalidate(key);
        }
        log.info("admin: removed {} (static: {}, cached: {})", key, wasStatic, wasCached);
        String persistError = wasStatic ? persist() : null;
        if (persistError != null) {
            return Answer.error(500, "the entry is removed, but " + persistError);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", key);
        out.put("static", wasStatic);
        out.put("cached", wasCached);
        return new Answer(wasStatic || wasCached ? 200 : 404, out);
    }

    /**
     * Writes the static entries back to the map file when routing.map-persist is on: to a
     * temporary file beside it, then renamed over it, so a reader never sees half a file.
     *
     * @return why it could not be written, or null
     */
    private String persist() {
        java.nio.file.Path map = router.persistedMap();
        if (map == null) {
            return null;
        }
        StringBuilder out = new StringBuilder("# Written by podrouter (routing.map-persist) at ")
                .append(java.time.Instant.now()).append("\n# <key> <backend>\n");
        new TreeMap<>(table.entries()).forEach((k, b) -> out.append(k).append(' ').append(b).append('\n'));
        try {
            java.nio.file.Path tmp = java.nio.file.Files.createTempFile(map.toAbsolutePath().getParent(), ".podrouter-map", ".tmp");
            try {
                java.nio.file.Files.writeString(tmp, out);
                java.nio.file.Files.move(tmp, map, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
            return null;
        } catch (java.io.IOException e) {
            log.error("admin: cannot write the map file {}: {}", map, e.toString());
            return "writing " + map + " failed: " + e.getMessage();
        }
    }

    private Answer purge(String backend) {
        if (backend != null && !table.pods().containsKey(backend)) {
            return Answer.error(400, "no backend named '" + backend + "'");
        }
        if (cache == null) {
            return Answer.ok(Map.of("purged", 0));
        }
        int n = cache.invalidateIf(r -> backend == null || (r instanceof Route.To to && to.pod().name().equals(backend)));
        log.info("admin: purged {} cached answers{}", n, backend == null ? "" : " for " + backend);
        return Answer.ok(Map.of("purged", n));
    }

    private Answer backends() {
        List<Map<String, Object>> pods = new ArrayList<>();
        new TreeMap<>(table.pods()).forEach((name, pod) -> pods.add(describe(pod)));
        return Answer.ok(Map.of("backends", pods));
    }

    private Answer setServerState(String podName, String address, String state) {
        Pod pod = table.pods().get(podName);
        if (pod == null) {
            return Answer.error(404, "no backend named '" + podName + "'");
        }
        Server.AdminState s;
        try {
            s = Server.AdminState.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Answer.error(400, "state must be ready, drain or maint");
        }
        for (Server server : pod.servers()) {
            if (server.address().toString().equals(address)) {
                server.adminState(s);
                return Answer.ok(describe(server));
            }
        }
        return Answer.error(404, "backend " + podName + " has no server " + address);
    }

    /** Counters for the stats page; rates are computed in the page from two readings. */
    private Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time_ms", System.currentTimeMillis());
        long total = router.requestMetrics().unrouted().total();
        List<Map<String, Object>> pods = new ArrayList<>();
        for (Pod pod : new TreeMap<>(table.pods()).values()) {
            Map<String, Object> p = describe(pod);
            long[] classes = new long[6];
            pod.responses().forEach((code, n) -> classes[Math.min(code / 100, 5)] += n);
            Map<String, Long> byClass = new LinkedHashMap<>();
            for (int c = 1; c <= 5; c++) {
                byClass.put(c + "xx", classes[c]);
            }
            long podTotal = pod.responses().total();
            p.put("requests", podTotal);
            p.put("classes", byClass);
            total += podTotal;
            pods.add(p);
        }
        out.put("requests", total);
        out.put("pods", pods);
        if (cache != null) {
            RouteCache.Counts c = cache.counts();
            Map<String, Object> cached = new LinkedHashMap<>();
            cached.put("entries", cache.size());
            cached.put("hits", c.hits());
            cached.put("negative", c.negative());
            cached.put("misses", c.misses());
            cached.put("stale", c.stale());
            out.put("cache", cached);
            Map<String, Object> directory = new LinkedHashMap<>();
            directory.put("circuit_open", cache.directory().circuitOpen());
            directory.put("lookups", cache.directory().outcomes());
            out.put("directory", directory);
        }
        out.put("history", history.history());
        out.put("top_tenants", history.topTenants());
        Map<String, Object> invalidation = routeChanges();
        if (invalidation != null) {
            out.put("invalidation", invalidation);
        }
        return out;
    }

    private Answer invalidation() {
        Map<String, Object> state = routeChanges();
        return state == null ? Answer.error(404, "routing.invalidation is not configured") : Answer.ok(state);
    }

    /** The stream of tenant moves as the API and the stats page show it, or null when there is none. */
    private Map<String, Object> routeChanges() {
        RouteChangeStream stream = router.routeChanges();
        if (stream == null) {
            return null;
        }
        RouteChangeStream.State s = stream.state();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("redis", s.redis());
        out.put("stream", s.stream());
        out.put("connected", s.connected());
        out.put("last_id", s.lastId());
        out.put("lag_ms", s.lagMillis());
        out.put("disconnected_for_ms", s.disconnectedForMillis());
        out.put("applied", s.applied());
        out.put("ignored", s.ignored());
        out.put("skipped", s.skipped());
        out.put("gaps", s.gaps());
        return out;
    }

    static Map<String, Object> describe(Pod pod) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", pod.name());
        out.put("queued", pod.queued());
        List<Map<String, Object>> servers = new ArrayList<>();
        for (Server s : pod.servers()) {
            servers.add(describe(s));
        }
        out.put("servers", servers);
        return out;
    }

    static Map<String, Object> describe(Server s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", s.address().toString());
        out.put("state", s.adminState().name().toLowerCase(Locale.ROOT));
        out.put("health", s.isHealthy() ? "up" : "down");
        out.put("active", s.active());
        out.put("maxconn", s.maxconn());
        out.put("weight", s.weight());
        out.put("backup", s.backup());
        return out;
    }

    private static Map<String, Object> staticEntry(String key, String backend) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", key);
        out.put("backend", backend);
        out.put("source", "static");
        return out;
    }

    private static Map<String, Object> describe(RouteCache.Entry<Route> e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", e.key());
        out.put("backend", e.route() instanceof Route.To to ? to.pod().name() : null);
        out.put("source", e.kind());
        out.put("age_ms", e.ageMillis());
        out.put("expires_in_ms", e.expiresInMillis());
        out.put("hits", e.hits());
        return out;
    }
}
