package io.podrouter.routing;

import io.podrouter.backend.Pod;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The static routes: routing key to pod, from the map file and the admin API. Event loops read
 * it without locks (a concurrent map); a lookup of a canonical key allocates nothing.
 */
public final class RouteTable {
    private final Map<String, Route.To> routes;
    private final Route.To fallback;
    private final Map<String, Route.To> pods = new HashMap<>();
    private final Map<String, Route.To> directoryRoutes = new HashMap<>();
    /** Changes made at run time (the admin API), by key: the backend, or "" for a removal; kept across reloads. */
    private final Map<String, String> runtimeChanges = new ConcurrentHashMap<>();

    /**
     * @param allPods every configured pod
     * @param routes canonical routing keys (see {@link RoutingKey}) to pods
     * @param fallback the pod for keys with no entry, or null to refuse them
     */
    public RouteTable(Collection<Pod> allPods, Map<String, Pod> routes, Pod fallback) {
        Map<Pod, Route.To> perPod = new IdentityHashMap<>();
        for (Pod pod : allPods) {
            pods.put(pod.name(), perPod.computeIfAbsent(pod, p -> new Route.To(p, Route.Source.STATIC)));
            directoryRoutes.put(pod.name(), new Route.To(pod, Route.Source.DIRECTORY));
        }
        this.routes = new ConcurrentHashMap<>(Math.max(16, routes.size() * 2));
        routes.forEach((key, pod) -> this.routes.put(key, perPod.computeIfAbsent(pod, p -> new Route.To(p, Route.Source.STATIC))));
        this.fallback = fallback == null ? null : new Route.To(fallback, Route.Source.FALLBACK);
    }

    /** The static route for a canonical key, or null. */
    public Route.To route(String key) {
        return routes.get(key);
    }

    /** The route for keys that nothing knows ({@code routing.unknown: backend}), or null. */
    public Route.To fallback() {
        return fallback;
    }

    /** The shared route for a directory answer naming {@code backend}, or null when there is no such pod. */
    public Route.To routeToPod(String backend) {
        return directoryRoutes.get(backend);
    }

    public int size() {
        return routes.size();
    }

    /**
     * Adds or replaces a static entry.
     *
     * @return false when no pod is named {@code backend}
     */
    public boolean put(String key, String backend) {
        Route.To to = pods.get(backend);
        if (to == null) {
            return false;
        }
        routes.put(key, to);
        runtimeChanges.put(key, backend);
        return true;
    }

    /** Removes a static entry; true when there was one. */
    public boolean remove(String key) {
        runtimeChanges.put(key, "");
        return routes.remove(key) != null;
    }

    /**
     * Applies the run-time changes made to {@code previous} (a table of an earlier configuration)
     * to this one; a change naming a backend this configuration lacks is dropped and reported.
     *
     * @return the keys whose changes were dropped
     */
    public java.util.List<String> keepRuntimeChanges(RouteTable previous) {
        java.util.List<String> dropped = new java.util.ArrayList<>();
        previous.runtimeChanges.forEach((key, backend) -> {
            if (backend.isEmpty()) {
                remove(key);
            } else if (!put(key, backend)) {
                dropped.add(key + " -> " + backend);
            }
        });
        return dropped;
    }

    /** The run-time changes, by key: the backend, or "" for a removal. */
    public Map<String, String> runtimeChanges() {
        return Map.copyOf(runtimeChanges);
    }

    /** A snapshot of the static entries: key to pod name. */
    public Map<String, String> entries() {
        Map<String, String> copy = new HashMap<>(routes.size() * 2);
        routes.forEach((k, v) -> copy.put(k, v.pod().name()));
        return copy;
    }

    /** The pods, by name. */
    public Map<String, Pod> pods() {
        Map<String, Pod> copy = new HashMap<>();
        pods.forEach((name, to) -> copy.put(name, to.pod()));
        return copy;
    }
}
