package io.podrouter.config;

import java.util.List;

/** A pod: a named set of servers that can serve the same tenants. */
public record BackendConfig(String name, List<ServerConfig> servers) {
    public BackendConfig {
        servers = List.copyOf(servers);
    }
}
