package io.podrouter.backend;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A named pool of servers that all serve the same tenants; requests take turns over them. */
public final class Pod {
    private final String name;
    private final Server[] servers;
    private final AtomicInteger next = new AtomicInteger();

    public Pod(String name, List<Server> servers) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("pod " + name + " has no servers");
        }
        this.name = name;
        this.servers = servers.toArray(new Server[0]);
    }

    public String name() {
        return name;
    }

    public List<Server> servers() {
        return List.of(servers);
    }

    /** The next server in round-robin order. */
    public Server pick() {
        if (servers.length == 1) {
            return servers[0];
        }
        return servers[Math.floorMod(next.getAndIncrement(), servers.length)];
    }

    @Override
    public String toString() {
        return name;
    }
}
