package io.podrouter.config;

import java.time.Duration;
import java.util.List;

/**
 * A pod: a named set of servers that can serve the same tenants.
 *
 * @param balance how a request picks among the servers
 * @param maxQueue requests that may wait for a free server; past it, 503 at once (by default as many
 *                 as 10,000 clients could send at once, since each server takes 1,000)
 * @param check active health checks, or null for none
 * @param passiveFailures consecutive connect failures or 5xx answers that take a server out
 * @param passiveCooldown how long a server stays out after that
 */
public record BackendConfig(String name, List<ServerConfig> servers, Balance balance, int maxQueue,
                            HealthCheckConfig check, int passiveFailures, Duration passiveCooldown) {
    /** What a pod's settings are when the file does not say (its name and servers are always said). */
    public static final BackendConfig DEFAULTS = new BackendConfig("", List.of(), Balance.ROUNDROBIN, 10_000, null, 3,
            Duration.ofSeconds(10));

    public BackendConfig {
        servers = List.copyOf(servers);
    }

    public BackendConfig(String name, List<ServerConfig> servers) {
        this(name, servers, DEFAULTS.balance, DEFAULTS.maxQueue, DEFAULTS.check, DEFAULTS.passiveFailures,
                DEFAULTS.passiveCooldown);
    }

    /** How a pod spreads requests over its servers. */
    public enum Balance {
        /** weighted, smooth round-robin */
        ROUNDROBIN,
        /** the server with the fewest requests in flight, relative to its weight */
        LEASTCONN,
        /** the less loaded of two servers chosen at random */
        RANDOM,
        /** consistent hashing on the routing key: a tenant sticks to one server while the set is stable */
        HASH
    }
}
