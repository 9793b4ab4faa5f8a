package io.podrouter.proxy;

import io.podrouter.accesslog.AccessLog;
import io.podrouter.config.Cidr;
import io.podrouter.config.LimitsConfig;
import io.podrouter.config.TimeoutsConfig;
import io.podrouter.routing.RequestRouter;
import java.util.List;

/**
 * What client connections share: where requests go, how long to wait, what to count. A reload
 * makes a new one; each request reads the current one when it starts.
 */
public final class ProxySettings {
    private final RequestRouter router;
    private final TimeoutsConfig timeouts;
    private final ForwardedHeaders forwarded;
    private final ClientConnections connections;
    private final RequestMetrics metrics;
    private final AccessLog accessLog;
    private final LimitsConfig limits;

    public ProxySettings(RequestRouter router, TimeoutsConfig timeouts, List<Cidr> trustedProxies,
                         ClientConnections connections, RequestMetrics metrics, AccessLog accessLog, LimitsConfig limits) {
        this.limits = limits;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.router = router;
        this.timeouts = timeouts;
        this.forwarded = new ForwardedHeaders(trustedProxies);
        this.connections = connections;
    }

    public LimitsConfig limits() {
        return limits;
    }

    /** The access log, or null when it is off. */
    AccessLog accessLog() {
        return accessLog;
    }

    RequestMetrics metrics() {
        return metrics;
    }

    ClientConnections connections() {
        return connections;
    }

    RequestRouter router() {
        return router;
    }

    public TimeoutsConfig timeouts() {
        return timeouts;
    }

    ForwardedHeaders forwarded() {
        return forwarded;
    }
}
