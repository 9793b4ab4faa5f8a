package io.podrouter.config;

/**
 * One address the router accepts client connections on.
 *
 * @param tls null for plain HTTP
 * @param h2c plain HTTP/2 by prior knowledge too (a client that starts with the HTTP/2 preface)
 */
public record ListenerConfig(HostAndPort bind, TlsConfig tls, boolean h2c) {
    public ListenerConfig(HostAndPort bind) {
        this(bind, null, false);
    }
}
