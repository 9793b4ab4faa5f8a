package io.podrouter.config;

import java.nio.file.Path;
import java.util.List;

/**
 * How a request finds its pod.
 *
 * @param keyHeader the header holding the routing key; {@code host} by default, {@code sni} for the TLS server name
 * @param map the map file, or null when there is none
 * @param entries the map file's entries, in file order
 * @param unknown what to do with a key that has no entry (and that the directory does not know)
 * @param directory the tenant directory asked about keys with no entry, or null when there is none
 * @param cache the cache of directory answers
 * @param mapPersist write entries changed through the admin API back to the map file
 * @param invalidation the Redis stream of tenant moves, or null when there is none
 * @param warmStart the snapshot of cached answers and the peers to warm from
 */
public record RoutingConfig(String keyHeader, Path map, List<MapEntry> entries, UnknownRoute unknown,
                            DirectoryConfig directory, CacheConfig cache, boolean mapPersist,
                            InvalidationConfig invalidation, WarmStartConfig warmStart) {
    public RoutingConfig {
        entries = List.copyOf(entries);
    }

    /** True when the routing key is the Host header (or the request target's authority). */
    public boolean routesByHost() {
        return "host".equalsIgnoreCase(keyHeader);
    }

    /** True when the routing key is the server name the client sent in its TLS handshake. */
    public boolean routesBySni() {
        return "sni".equals(keyHeader);
    }

    public RoutingConfig withWarmStart(WarmStartConfig other) {
        return new RoutingConfig(keyHeader, map, entries, unknown, directory, cache, mapPersist, invalidation, other);
    }
}
