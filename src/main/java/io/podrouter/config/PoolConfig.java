package io.podrouter.config;

import java.time.Duration;

/**
 * Keep-alive connections to servers.
 *
 * @param idleTimeout an idle pooled connection is closed after this, before the server would close it
 * @param maxIdle idle connections kept per server on each event loop
 */
public record PoolConfig(Duration idleTimeout, int maxIdle) {
    public static final PoolConfig DEFAULTS = new PoolConfig(Duration.ofSeconds(10), 64);
}
