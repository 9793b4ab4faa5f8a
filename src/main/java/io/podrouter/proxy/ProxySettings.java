package io.podrouter.proxy;

import io.podrouter.accesslog.AccessLog;
import io.podrouter.config.Cidr;
import io.podrouter.config.TimeoutsConfig;
import io.podrouter.routing.RequestRouter;
import java.util.List;

/** What every client connection of one listener shares: where requests go and how long to wait. */
public final class ProxySettings {
    private final RequestRouter router;
    private final TimeoutsConfig timeouts;
    private final ForwardedHeaders forwarded;
    private final ClientConnections connections;
    private final RequestMetrics metrics;
    private final AccessLog accessLog;

    public ProxySettings(RequestRouter router, TimeoutsConfig timeouts, List<Cidr> trustedProxies, String scheme,
                         ClientConnections connections, RequestMetrics metrics, AccessLog accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.router = router;
        this.timeouts = timeouts;
        this.forwarded = new ForwardedHeaders(trustedProxies, scheme);
        this.connections = connections;
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

    TimeoutsConfig timeouts() {
        return timeouts;
    }

    ForwardedHeaders forwarded() {
        return forwarded;
    }
}
