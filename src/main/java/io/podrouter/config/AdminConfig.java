package io.podrouter.config;

/**
 * The admin listener (runtime API, metrics, stats page).
 *
 * @param bind where it listens
 * @param token when not null, every call needs {@code Authorization: Bearer <token>}
 */
public record AdminConfig(HostAndPort bind, String token) {
}
