package io.podrouter.backend;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consistent hashing on the routing key: each server owns points on a ring in proportion to its
 * weight, and a key goes to the first usable server at or after its own point. While the set of
 * usable servers is stable a tenant stays on one server; when one goes, only its keys move.
 */
final class HashBalancer implements Balancer {
    private static final int POINTS_PER_WEIGHT = 100;
    private final Map<Server[], Ring> rings = new IdentityHashMap<>();
    /** The pod passes these exact arrays back as candidates. */
    HashBalancer(Server[] primaries, Server[] backups) {
        rings.put(primaries, new Ring(primaries));
        rings.put(backups, new Ring(backups));
    }

    @Override
    public Server choose(Server[] servers, String key, Server avoid) {
        Ring ring = rings.get(servers);
        return ring == null ? null : ring.first(key == null ? 0 : hash(key), avoid);
    }

    private static final class Ring {
        private final long[] points;
        private final Server[] owners;

        Ring(Server[] servers) {
            TreeMap<Long, Server> ring = new TreeMap<>();
            for (Server s : servers) {
                for (int i = 0; i < s.weight() * POINTS_PER_WEIGHT; i++) {
                    ring.putIfAbsent(hash(s.address() + "#" + i), s);
                }
            }
            points = new long[ring.size()];
            owners = new Server[ring.size()];
            int i = 0;
            for (Map.Entry<Long, Server> e : ring.entrySet()) {
                points[i] = e.getKey();
                owners[i++] = e.getValue();
            }
        }

        Server first(long point, Server avoid) {
            if (points.length == 0) {
                return null;
            }
            int i = java.util.Arrays.binarySearch(points, point);
            if (i < 0) {
                i = -i - 1;
            }
            for (int n = 0; n < points.length; n++) {
                Server s = owners[(i + n) % points.length];
                if (Balancer.usable(s, avoid)) {
                    return s;
                }
            }
            return avoid != null && Balancer.usable(avoid, null) ? avoid : null;
        }
    }

    /** 64-bit FNV-1a over the key's characters (routing keys are ASCII), then a finaliser so that similar keys land far apart. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0, n = s.length(); i < n; i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
