package io.podrouter.backend;

import io.podrouter.config.BackendConfig.Balance;

/** Chooses one of a pod's servers that is up and has room, or null when none has. */
interface Balancer {

    /**
     * @param servers the candidates (a pod's primaries, or its backups)
     * @param key the request's routing key (used by {@code hash})
     * @param avoid a server not to choose when another will do (a retry), or null
     */
    Server choose(Server[] servers, String key, Server avoid);

    /** A balancer for a pod whose candidate arrays are exactly {@code primaries} and {@code backups}. */
    static Balancer of(Balance balance, Server[] primaries, Server[] backups) {
        return switch (balance) {
            case ROUNDROBIN -> new RoundRobinBalancer(primaries, backups);
            case LEASTCONN -> new LeastConnBalancer();
            case RANDOM -> new RandomBalancer();
            case HASH -> new HashBalancer(primaries, backups);
        };
    }

    static boolean usable(Server s, Server avoid) {
        return s != avoid && s.isUp() && s.hasRoom();
    }
}
