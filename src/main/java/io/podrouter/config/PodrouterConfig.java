package io.podrouter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, read and validated once; everything else is built from it.
 * {@code admin} is null when there is no admin listener.
 */
public record PodrouterConfig(
        Path source,
        List<ListenerConfig> listeners,
        RoutingConfig routing,
        Map<String, BackendConfig> backends,
        TimeoutsConfig timeouts,
        LimitsConfig limits,
        PoolConfig pool,
        int threads,
        TransportChoice transport,
        List<Cidr> trustedProxies,
        Duration shutdownGrace,
        AdminConfig admin,
        AccessLogConfig accessLog,
        LoggingConfig logging) {

    public PodrouterConfig {
        listeners = List.copyOf(listeners);
        backends = Map.copyOf(backends);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** The same configuration with another routing section (the command line's --warm-from). */
    public PodrouterConfig withRouting(RoutingConfig other) {
        return new PodrouterConfig(source, listeners, other, backends, timeouts, limits, pool, threads, transport, trustedProxies,
                shutdownGrace, admin, accessLog, logging);
    }

    /** Event loop threads to run: the configured number, or one per core. */
    public int eventLoopThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
