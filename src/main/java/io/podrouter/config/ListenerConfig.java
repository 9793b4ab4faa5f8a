package io.podrouter.config;

/** One address the router accepts client connections on. */
public record ListenerConfig(HostAndPort bind) {
}
