package io.podrouter.backend;

import java.util.concurrent.ThreadLocalRandom;

/** Power of two choices: of two servers drawn at random, the less loaded one. */
final class RandomBalancer implements Balancer {
    private static final int DRAWS = 4;

    @Override
    public Server choose(Server[] servers, String key, Server avoid) {
        if (servers.length == 0) {
            return null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Server best = null;
        int picked = 0;
        for (int i = 0; i < servers.length * DRAWS && picked < 2; i++) {
            Server s = servers[random.nextInt(servers.length)];
            if (Balancer.usable(s, avoid)) {
                picked++;
                if (best == null || s.active() * best.weight() < best.active() * s.weight()) {
                    best = s;
                }
            }
        }
        if (best != null) {
            return best;
        }
        // Few usable servers left: look at all of them.
        return new LeastConnBalancer().choose(servers, key, avoid);
    }
}
