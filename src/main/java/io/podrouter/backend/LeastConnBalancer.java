package io.podrouter.backend;

/** The server with the fewest requests in flight relative to its weight; ties go to the first. */
final class LeastConnBalancer implements Balancer {
    @Override
    public Server choose(Server[] servers, String key, Server avoid) {
        Server best = null;
        long bestLoad = Long.MAX_VALUE;
        for (Server s : servers) {
            if (Balancer.usable(s, avoid)) {
                // active/weight compared without division: a/wa < b/wb  <=>  a*wb < b*wa; scaled to 256ths
                long load = (long) s.active() * 256 / s.weight();
                if (load < bestLoad) {
                    best = s;
                    bestLoad = load;
                }
            }
        }
        if (best == null && avoid != null && Balancer.usable(avoid, null)) {
            return avoid;
        }
        return best;
    }
}
