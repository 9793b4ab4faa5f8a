package io.podrouter.proxy;

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

    public ProxySettings(RequestRouter router, TimeoutsConfig timeouts, List<Cidr> trustedProxies, String scheme,
                         ClientConnections connections) {
        this.router = router;
        this.timeouts = timeouts;
        this.forwarded = new ForwardedHeaders(trustedProxies, scheme);
        this.connections = connections;
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
