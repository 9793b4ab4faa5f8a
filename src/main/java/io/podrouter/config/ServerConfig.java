package io.podrouter.config;

/** One application server of a pod. */
public record ServerConfig(HostAndPort address) {
}
