package io.podrouter.config;

import java.time.Duration;

/**
 * The cache of directory answers.
 *
 * @param maxEntries the bound on cached keys (least valuable evicted first)
 * @param ttl how long an answer is fresh when the directory gives no TTL
 * @param minTtl lower clamp for a TTL the directory gives
 * @param maxTtl upper clamp for a TTL the directory gives
 * @param negativeTtl how long "not a tenant" (404) is remembered
 * @param invalidTtl how long an unusable answer (unknown backend, junk) is remembered
 * @param refreshAfterPercent share of its TTL after which a hit also starts one background refresh
 * @param staleIfError how long past its TTL an answer keeps serving while the directory fails
 */
public record CacheConfig(int maxEntries, Duration ttl, Duration minTtl, Duration maxTtl, Duration negativeTtl,
                          Duration invalidTtl, int refreshAfterPercent, Duration staleIfError) {
    public static final CacheConfig DEFAULTS = new CacheConfig(1_000_000, Duration.ofMinutes(5), Duration.ofSeconds(1),
            Duration.ofHours(24), Duration.ofSeconds(10), Duration.ofSeconds(5), 80, Duration.ofHours(1));
}
