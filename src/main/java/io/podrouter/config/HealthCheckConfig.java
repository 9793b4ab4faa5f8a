package io.podrouter.config;

import java.time.Duration;

/**
 * Active health checks of a pod's servers: {@code GET path} every {@code interval}; a server is
 * down after {@code fall} failed checks in a row and up again after {@code rise} good ones
 * (a 2xx or 3xx within {@code timeout}).
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, int rise, int fall) {
    public static final HealthCheckConfig DEFAULTS = new HealthCheckConfig("/health", Duration.ofSeconds(2),
            Duration.ofSeconds(1), 2, 3);
}
