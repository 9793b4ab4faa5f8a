package io.podrouter.config;

import java.time.Duration;

/**
 * Keep-alive connections to servers.
 *
 * @param idleTimeout an idle pooled connection is closed after this, before the server would close it
 * @param maxIdle idle connections kept per server on each event loop: a cap, not a target. The
 *                load decides how many stay (a connection unused for idleTimeout is closed), so the
 *                default is far above any concurrency one loop sees; a cap below it made each
 *                response past it close its connection and the next request connect again
 */
public record PoolConfig(Duration idleTimeout, int maxIdle) {
    public static final PoolConfig DEFAULTS = new PoolConfig(Duration.ofSeconds(10), 10_000);
}
