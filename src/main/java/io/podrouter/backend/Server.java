package io.podrouter.backend;

import io.podrouter.config.HostAndPort;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One application server of a pod: its connection pool, its limits, the requests it is serving
 * now, and whether it is up. Counters are atomics: any event loop may take or give a slot.
 */
public final class Server {
    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private final String pod;
    private final HostAndPort address;
    private final UpstreamPool pool;
    private final int maxconn;
    private final int weight;
    private final boolean backup;
    private final int passiveFailures;
    private final long passiveCooldownNanos;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile boolean checkedUp = true;
    private volatile AdminState adminState = AdminState.READY;

    /** What an operator said of the server: take requests, finish those in flight only, or none. */
    public enum AdminState { READY, DRAIN, MAINT }
    private volatile long outUntil;

    public Server(String pod, HostAndPort address, UpstreamPool pool, int maxconn, int weight, boolean backup,
                  int passiveFailures, long passiveCooldownNanos) {
        this.pod = pod;
        this.address = address;
        this.pool = pool;
        this.maxconn = maxconn;
        this.weight = weight;
        this.backup = backup;
        this.passiveFailures = passiveFailures;
        this.passiveCooldownNanos = passiveCooldownNanos;
    }

    /** A server with no limits and no passive checks (for tests and tools). */
    public Server(HostAndPort address, UpstreamPool pool) {
        this("-", address, pool, 0, 1, false, Integer.MAX_VALUE, 0);
    }

    public HostAndPort address() {
        return address;
    }

    public UpstreamPool pool() {
        return pool;
    }

    public int weight() {
        return weight;
    }

    public int maxconn() {
        return maxconn;
    }

    public boolean backup() {
        return backup;
    }

    /** Requests this server is serving now. */
    public int active() {
        return active.get();
    }

    /** Up: its health checks pass and it is not cooling down after passive failures. */
    public boolean isUp() {
        if (!checkedUp || adminState != AdminState.READY) {
            return false;
        }
        long until = outUntil;
        return until == 0 || System.nanoTime() - until >= 0;
    }

    /** True when health checks and passive checks consider the server healthy (whatever its admin state). */
    public boolean isHealthy() {
        long until = outUntil;
        return checkedUp && (until == 0 || System.nanoTime() - until >= 0);
    }

    public AdminState adminState() {
        return adminState;
    }

    public void adminState(AdminState state) {
        if (state != adminState) {
            log.info("server {} of pod {} set to {} by an operator", address, pod, state.name().toLowerCase());
            adminState = state;
        }
    }

    boolean hasRoom() {
        return maxconn == 0 || active.get() < maxconn;
    }

    /** Takes a request slot if one is free. */
    boolean tryTake() {
        if (maxconn == 0) {
            active.incrementAndGet();
            return true;
        }
        while (true) {
            int n = active.get();
            if (n >= maxconn) {
                return false;
            }
            if (active.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void give() {
        active.decrementAndGet();
    }

    /** A request got a usable response (below 500) from this server. */
    public void succeeded() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /** A connect failure or a 5xx answer; enough in a row take the server out for the cooldown. */
    public void failed(String why) {
        if (consecutiveFailures.incrementAndGet() >= passiveFailures && passiveCooldownNanos > 0) {
            consecutiveFailures.set(0);
            outUntil = System.nanoTime() + passiveCooldownNanos;
            log.warn("server {} of pod {} taken out for {}s after {} failures in a row (last: {})", address, pod,
                    TimeUnit.NANOSECONDS.toSeconds(passiveCooldownNanos), passiveFailures, why);
        }
    }

    /** The verdict of active health checks. */
    public void checked(boolean up, String why) {
        if (up != checkedUp) {
            checkedUp = up;
            if (up) {
                log.info("server {} of pod {} is up: {}", address, pod, why);
            } else {
                log.warn("server {} of pod {} is down: {}", address, pod, why);
            }
        }
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
