package io.podrouter.backend;

import io.podrouter.config.HostAndPort;

/** One application server of a pod, with its connection pool. */
public record Server(HostAndPort address, UpstreamPool pool) {
    @Override
    public String toString() {
        return address.toString();
    }
}
