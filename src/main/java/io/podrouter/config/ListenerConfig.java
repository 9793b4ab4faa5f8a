package io.podrouter.config;

/** One address the router accepts client connections on; {@code tls} is null for plain HTTP. */
public record ListenerConfig(HostAndPort bind, TlsConfig tls) {
    public ListenerConfig(HostAndPort bind) {
        this(bind, null);
    }
}
