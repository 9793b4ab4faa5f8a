package io.podrouter.directory;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.podrouter.backend.ServerAddress;
import io.podrouter.backend.UpstreamPool;
import io.podrouter.config.DirectoryConfig;
import io.podrouter.config.DirectoryUrl;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Asks the tenant directory about keys, over keep-alive connections pooled per event loop. With an
 * event loop of its own (the router's), every lookup's I/O runs there and only the answer goes
 * back to the requesting loop: a lookup is timed from its send to its answer's arrival, so an
 * answer that waits unread behind thousands of busy client connections is not taken for a slow
 * or failing directory (which would open the circuit breaker on the router's own backlog). Bounds
 * the lookups in flight (past the bound they wait in a bounded queue) and fails fast through a
 * circuit breaker while the directory keeps failing. With hedging, a slow lookup also asks the
 * next URL.
 */
public final class DirectoryClient {
    static final DirectoryAnswer.Failed OVERLOADED = new DirectoryAnswer.Failed(
            "too many directory lookups in flight, and the queue for them is full or was waited in too long");
    /** Lookup times kept for {@code hedge-after: p95}. */
    private static final int RECENT = 512;
    static final DirectoryAnswer.Failed STOPPING = new DirectoryAnswer.Failed("the router is stopping");
    static final DirectoryAnswer.Failed CIRCUIT_OPEN = new DirectoryAnswer.Failed("the directory is failing (circuit open)");

    private final DirectoryConfig config;
    private final List<UpstreamPool> pools;
    private final CircuitBreaker circuit;
    /** Where lookups run; null: on the requesting loop (tests, benchmarks). */
    private final EventLoop ioLoop;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder tenants = new LongAdder();
    private final LongAdder notTenants = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder failedFast = new LongAdder();
    private final LongAdder overloaded = new LongAdder();
    private final LongAdder hedges = new LongAdder();
    private final LongAdder queuedTotal = new LongAdder();
    private final ConcurrentLinkedQueue<Waiting> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Recent lookup times in nanoseconds, written racily by every loop (a statistic): for the adaptive hedge. */
    private final long[] recent = new long[RECENT];
    private final AtomicInteger recentCount = new AtomicInteger();
    private volatile long adaptiveHedgeNanos;
    private final Histogram duration = Histogram.builder()
            .name("podrouter_directory_lookup_duration_seconds")
            .help("Time from sending a lookup to the tenant directory to its answer or failure")
            .classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .build();

    /** Lookups on the requesting loop. @param transport a bootstrap with channel type and options; its handler is replaced */
    public DirectoryClient(DirectoryConfig config, Bootstrap transport) {
        this(config, transport, null);
    }

    /**
     * @param transport a bootstrap with channel type and options; its handler is replaced
     * @param ioLoop    the loop every lookup's connections live on, or null for the requesting loop
     */
    public DirectoryClient(DirectoryConfig config, Bootstrap transport, EventLoop ioLoop) {
        this.config = config;
        this.ioLoop = ioLoop;
        Bootstrap bootstrap = transport.clone().handler(new DirectoryChannelInitializer(config.maxAnswerBytes(), config.idleTimeout()));
        this.pools = config.urls().stream().map(u -> new UpstreamPool(ServerAddress.of(u.address()), bootstrap, config.maxIdle())).toList();
        this.circuit = new CircuitBreaker(config.circuitFailures(), config.circuitOpenFor().toNanos(), System::nanoTime);
    }

    /** A lookup waiting for a place among those in flight. */
    private record Waiting(String key, EventLoop loop, Consumer<DirectoryAnswer> then, long since) {
    }

    /**
     * Looks {@code key} up; {@code then} runs on {@code loop} (at once, when failing fast). Past
     * {@code max-in-flight} the lookup waits in a queue of {@code max-queued} for up to
     * {@code queue-timeout}, and fails only when that is full or waited out.
     */
    public void lookup(String key, EventLoop loop, Consumer<DirectoryAnswer> then) {
        if (inFlight.incrementAndGet() > config.maxInFlight()) {
            inFlight.decrementAndGet();
            if (queued.incrementAndGet() > config.maxQueued()) {
                queued.decrementAndGet();
                overloaded.increment();
                then.accept(OVERLOADED);
                return;
            }
            queuedTotal.increment();
            queue.add(new Waiting(key, loop, then, System.nanoTime()));
            startWaiting(); // a place may have come free meanwhile
            return;
        }
        send(key, loop, then);
    }

    /** Sends a lookup that holds a place in flight, unless the circuit is open; runs on {@code loop}. */
    private void send(String key, EventLoop loop, Consumer<DirectoryAnswer> then) {
        if (!circuit.allows()) {
            inFlight.decrementAndGet();
            failedFast.increment();
            then.accept(CIRCUIT_OPEN);
            if (!queue.isEmpty()) {
                startWaiting();
            }
            return;
        }
        requests.increment();
        if (ioLoop == null) {
            start(key, loop, then);
        } else {
            try {
                ioLoop.execute(() -> start(key, ioLoop, answer -> loop.execute(() -> then.accept(answer))));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                inFlight.decrementAndGet(); // the router is stopping (its directory loop is gone): not the directory's fault
                then.accept(STOPPING);
            }
        }
    }

    private void start(String key, EventLoop on, Consumer<DirectoryAnswer> then) {
        long started = System.nanoTime();
        new DirectoryLookup(this, key, on, answer -> {
            long took = System.nanoTime() - started;
            duration.observe(took / 1e9);
            if (!(answer instanceof DirectoryAnswer.Failed)) {
                recordTime(took);
            }
            then.accept(answer);
        }).start();
    }

    /**
     * Hands queued lookups to their event loops while there is room in flight; those that waited
     * longer than queue-timeout fail. Each is started as a task of its loop, never from here.
     */
    private void startWaiting() {
        long maxWait = config.queueTimeout().toNanos();
        while (!queue.isEmpty()) {
            if (inFlight.incrementAndGet() > config.maxInFlight()) {
                inFlight.decrementAndGet();
                return;
            }
            Waiting w = queue.poll();
            if (w == null) {
                inFlight.decrementAndGet();
                return;
            }
            queued.decrementAndGet();
            if (System.nanoTime() - w.since() > maxWait) {
                inFlight.decrementAndGet();
                overloaded.increment();
                w.loop().execute(() -> w.then().accept(OVERLOADED));
            } else {
                w.loop().execute(() -> send(w.key(), w.loop(), w.then()));
            }
        }
    }

    /** Takes a place in flight for a hedged request; false when there is none (no hedge then). */
    boolean startHedge() {
        if (inFlight.incrementAndGet() > config.maxInFlight()) {
            inFlight.decrementAndGet();
            return false;
        }
        hedges.increment();
        return true;
    }

    /** How long a lookup waits for its first URL before also asking the next; 0 when it never does. */
    long hedgeAfterNanos() {
        if (config.hedgeAfter() == null) {
            return 0;
        }
        long floor = config.hedgeAfter().toNanos();
        return config.hedgeAdaptive() ? Math.max(floor, adaptiveHedgeNanos) : floor;
    }

    private void recordTime(long nanos) {
        if (!config.hedgeAdaptive()) {
            return;
        }
        int n = recentCount.getAndIncrement();
        recent[Math.floorMod(n, RECENT)] = nanos;
        if (n % 64 == 63) { // every 64 lookups, on whichever loop crosses it
            long[] copy = recent.clone();
            int filled = Math.min(n + 1, RECENT);
            java.util.Arrays.sort(copy, 0, filled);
            adaptiveHedgeNanos = copy[Math.min(filled - 1, (int) (filled * 0.95))];
        }
    }

    void finished(DirectoryAnswer answer, boolean hedged) {
        inFlight.addAndGet(hedged ? -2 : -1);
        if (!queue.isEmpty()) {
            startWaiting();
        }
        if (answer == STOPPING) {
            return; // the router stops: no answer, and no fault of the directory's
        }
        if (answer instanceof DirectoryAnswer.Failed) {
            failures.increment();
            circuit.failed();
        } else {
            (answer instanceof DirectoryAnswer.Tenant ? tenants : notTenants).increment();
            circuit.succeeded();
        }
    }

    /** Hedged requests sent (a second URL asked because the first was slow). */
    public long hedges() {
        return hedges.sum();
    }

    /** Lookups that had to wait for a place in flight, so far; and waiting now. */
    public long queuedTotal() {
        return queuedTotal.sum();
    }

    public int queuedNow() {
        return queued.get();
    }

    /** Lookups by outcome: tenant, not_tenant, failed, failed_fast (circuit open), overloaded (queue full or waited out). */
    public Map<String, Long> outcomes() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("tenant", tenants.sum());
        out.put("not_tenant", notTenants.sum());
        out.put("failed", failures.sum());
        out.put("failed_fast", failedFast.sum());
        out.put("overloaded", overloaded.sum());
        return out;
    }

    /** The lookup duration histogram, for the metrics endpoint to register. */
    public Histogram durationHistogram() {
        return duration;
    }

    public boolean circuitOpen() {
        return circuit.isOpen();
    }

    /** Lookups sent to the directory so far (not counting those failed fast). */
    public long lookups() {
        return requests.sum();
    }

    List<DirectoryUrl> urls() {
        return config.urls();
    }

    List<UpstreamPool> pools() {
        return pools;
    }

    long timeoutNanos() {
        return config.timeout().toNanos();
    }
}
