package io.podrouter.backend;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.podrouter.config.BackendConfig;
import io.podrouter.config.TimeoutsConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A named pool of servers that all serve the same tenants. A request takes a slot on one server
 * (chosen by the pod's balancer among servers that are up and below their maxconn); when every
 * server is full it waits in the pod's FIFO queue until a slot frees, its queue timeout passes,
 * or its client goes away. Backups serve only while no primary is up.
 *
 * <p>Every queued request has the same timeout, so the oldest is always at the head: one timer for
 * the whole queue, armed for the head's deadline, refuses the requests whose time is up and
 * re-arms for the next. A timer per request would be scheduled and cancelled for each one: with
 * 10,000 clients over three pods of one server each (maxconn 1,000), 7,000 timers at once in the
 * event loop's timer heap, and about 6% of the router's CPU samples (bench/RESULTS.md).
 */
public final class Pod {
    /** Why a request could not get a server. */
    public enum Refusal {
        NO_SERVER_UP(503, "no server of the pod is up"),
        QUEUE_FULL(503, "every server of the pod is busy and its queue is full"),
        QUEUE_TIMEOUT(503, "no server of the pod became free in time"),
        /**
         * Not the pod's fault: the router is at its file-descriptor limit (see {@link SocketBudget})
         * and no connection to the server was given back in time.
         */
        NO_SOCKET(503, "this router is out of sockets (file-descriptor limit, ulimit -n) and no connection to the server came free in time");

        public final int status;
        public final String reason;

        Refusal(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }
    }

    /** Told, on its own event loop, which server a queued request got, or why it got none. */
    public interface Waiter {
        void granted(Server server);

        void refused(Refusal refusal);
    }

    private final String name;
    private final Server[] all;
    private final Server[] primaries;
    private final Server[] backups;
    private final Balancer balancer;
    private final boolean usesKey;
    private final int maxQueue;
    private final long queueTimeoutNanos;
    /** Guarded by itself, as is {@link #expiry}. */
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private ScheduledFuture<?> expiry;
    private final StatusCounts responses = new StatusCounts();
    private volatile int queued;

    public Pod(String name, List<Server> servers, BackendConfig.Balance balance, int maxQueue, Duration queueTimeout) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("pod " + name + " has no servers");
        }
        this.name = name;
        this.all = servers.toArray(new Server[0]);
        List<Server> p = new ArrayList<>();
        List<Server> b = new ArrayList<>();
        for (Server s : servers) {
            (s.backup() ? b : p).add(s);
        }
        this.primaries = p.toArray(new Server[0]);
        this.backups = b.toArray(new Server[0]);
        this.balancer = Balancer.of(balance, primaries, backups);
        this.usesKey = balance == BackendConfig.Balance.HASH;
        this.maxQueue = maxQueue;
        this.queueTimeoutNanos = queueTimeout.toNanos();
    }

    /** A round-robin pod without limits (for tests and tools). */
    public Pod(String name, List<Server> servers) {
        this(name, servers, BackendConfig.DEFAULTS.balance(), BackendConfig.DEFAULTS.maxQueue(), TimeoutsConfig.DEFAULTS.queue());
    }

    public String name() {
        return name;
    }

    public List<Server> servers() {
        return List.of(all);
    }

    /** True when the balancer needs the routing key (consistent hashing). */
    public boolean usesKey() {
        return usesKey;
    }

    /** The statuses this pod's requests were answered with. */
    public StatusCounts responses() {
        return responses;
    }

    /** Requests waiting for a server now. */
    public int queued() {
        return queued;
    }

    /**
     * Takes a slot on a server for a request. Returns the server at once when one has room;
     * otherwise returns null and tells {@code waiter}, on {@code loop}, later (or at once when
     * the request is refused).
     *
     * @param avoid a server that just failed this request, to be avoided when another will do
     * @return the server, or null when the waiter will be told
     */
    public Server acquire(String key, Server avoid, EventLoop loop, Waiter waiter) {
        if (queued == 0) {
            Server s = tryTake(key, avoid);
            if (s != null) {
                return s;
            }
        }
        if (!anyUp()) {
            waiter.refused(Refusal.NO_SERVER_UP);
            return null;
        }
        Queued q = new Queued(key, avoid, loop, waiter, System.nanoTime() + queueTimeoutNanos);
        boolean full;
        synchronized (queue) {
            full = queue.size() >= maxQueue;
            if (!full) {
                queue.addLast(q);
                queued = queue.size();
                if (expiry == null) {
                    expiry = loop.schedule(() -> expire(loop), queueTimeoutNanos, TimeUnit.NANOSECONDS);
                }
            }
        }
        if (full) {
            waiter.refused(Refusal.QUEUE_FULL);
            return null;
        }
        dispatch();
        return null;
    }

    /** Gives back the slot a request held, and hands it to the first queued request if any. */
    public void release(Server server) {
        server.give();
        if (queued != 0) {
            dispatch();
        }
    }

    /** Withdraws a queued request whose client went away; true when it was still waiting. */
    public boolean cancel(Waiter waiter) {
        synchronized (queue) {
            for (var it = queue.iterator(); it.hasNext(); ) {
                Queued q = it.next();
                if (q.waiter == waiter) {
                    it.remove();
                    queued = queue.size();
                    return true;
                }
            }
        }
        return false;
    }

    /** True when a server other than {@code failed} is up, so a retry can go elsewhere. */
    public boolean hasOtherServerUp(Server failed) {
        for (Server s : all) {
            if (s != failed && s.isUp() && (!s.backup() || !anyUp(primaries))) {
                return true;
            }
        }
        return false;
    }

    private Server tryTake(String key, Server avoid) {
        Server[] candidates = anyUp(primaries) ? primaries : backups;
        for (int attempt = 0; attempt < 4; attempt++) {
            Server s = balancer.choose(candidates, key, avoid);
            if (s == null) {
                return null;
            }
            if (s.tryTake()) {
                return s;
            }
        }
        return null;
    }

    private boolean anyUp() {
        return anyUp(primaries) || anyUp(backups);
    }

    private static boolean anyUp(Server[] servers) {
        for (Server s : servers) {
            if (s.isUp()) {
                return true;
            }
        }
        return false;
    }

    /** Hands free slots to queued requests, first come first served. */
    private void dispatch() {
        List<Queued> granted = null;
        synchronized (queue) {
            Queued q;
            while ((q = queue.peekFirst()) != null) {
                Server s = tryTake(q.key, q.avoid);
                if (s == null) {
                    break;
                }
                queue.pollFirst();
                q.server = s;
                if (granted == null) {
                    granted = new ArrayList<>(2);
                }
                granted.add(q);
            }
            queued = queue.size();
        }
        if (granted != null) {
            for (Queued q : granted) {
                Server s = q.server;
                if (q.loop.inEventLoop()) {
                    q.waiter.granted(s);
                } else {
                    q.loop.execute(() -> q.waiter.granted(s));
                }
            }
        }
    }

    /**
     * The queue's timer, on {@code loop}: refuses the requests at the head whose time is up, and
     * re-arms for the new head's deadline while the queue is not empty.
     */
    private void expire(EventLoop loop) {
        List<Queued> late = null;
        synchronized (queue) {
            long now = System.nanoTime();
            Queued q;
            while ((q = queue.peekFirst()) != null && now - q.deadline >= 0) {
                queue.pollFirst();
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(q);
            }
            queued = queue.size();
            expiry = q == null ? null : loop.schedule(() -> expire(loop), q.deadline - now, TimeUnit.NANOSECONDS);
        }
        if (late != null) {
            for (Queued q : late) {
                if (q.loop.inEventLoop()) {
                    q.waiter.refused(Refusal.QUEUE_TIMEOUT);
                } else {
                    q.loop.execute(() -> q.waiter.refused(Refusal.QUEUE_TIMEOUT));
                }
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private static final class Queued {
        final String key;
        final Server avoid;
        final EventLoop loop;
        final Waiter waiter;
        /** When its queue timeout passes (System.nanoTime()). */
        final long deadline;
        Server server;

        Queued(String key, Server avoid, EventLoop loop, Waiter waiter, long deadline) {
            this.key = key;
            this.avoid = avoid;
            this.loop = loop;
            this.waiter = waiter;
            this.deadline = deadline;
        }
    }
}
