package io.podrouter.backend;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Smooth weighted round-robin (the order nginx uses: weights 5,1,1 give a a b a c a a, not
 * a a a a a b c). The order for the configured weights is computed once; picking is a counter
 * step, lock-free, skipping servers that are down or full.
 */
final class RoundRobinBalancer implements Balancer {
    private final Map<Server[], Server[]> orders = new IdentityHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    /** The pod passes these exact arrays back as candidates. */
    RoundRobinBalancer(Server[] primaries, Server[] backups) {
        orders.put(primaries, smoothOrder(primaries));
        orders.put(backups, smoothOrder(backups));
    }

    static Server[] smoothOrder(Server[] servers) {
        int total = 0;
        for (Server s : servers) {
            total += s.weight();
        }
        Server[] order = new Server[total];
        int[] current = new int[servers.length];
        for (int step = 0; step < total; step++) {
            int best = 0;
            for (int i = 0; i < servers.length; i++) {
                current[i] += servers[i].weight();
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[step] = servers[best];
        }
        return order;
    }

    @Override
    public Server choose(Server[] servers, String key, Server avoid) {
        Server[] order = orders.get(servers);
        if (order == null || order.length == 0) {
            return null;
        }
        int start = next.getAndIncrement();
        for (int i = 0; i < order.length; i++) {
            Server s = order[Math.floorMod(start + i, order.length)];
            if (Balancer.usable(s, avoid)) {
                return s;
            }
        }
        return avoid != null && Balancer.usable(avoid, null) ? avoid : null;
    }
}
