package io.podrouter.routing;

import io.podrouter.backend.Pod;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The static routes: routing key to pod, from the map file. Immutable, so event loops read it
 * without locks; a lookup of a canonical key allocates nothing.
 */
public final class RouteTable {
    private final Map<String, Route.To> routes;
    private final Route.To fallback;

    /**
     * @param routes canonical routing keys (see {@link RoutingKey}) to pods
     * @param fallback the pod for keys with no entry, or null to refuse them
     */
    public RouteTable(Map<String, Pod> routes, Pod fallback) {
        Map<Pod, Route.To> perPod = new IdentityHashMap<>();
        this.routes = new HashMap<>(Math.max(16, routes.size() * 2));
        routes.forEach((key, pod) -> this.routes.put(key, perPod.computeIfAbsent(pod, Route.To::new)));
        this.fallback = fallback == null ? null : perPod.computeIfAbsent(fallback, Route.To::new);
    }

    /** The route for a canonical key, the fallback route, or null when there is neither. */
    public Route.To route(String key) {
        Route.To to = key == null ? null : routes.get(key);
        return to != null ? to : fallback;
    }

    public int size() {
        return routes.size();
    }
}
