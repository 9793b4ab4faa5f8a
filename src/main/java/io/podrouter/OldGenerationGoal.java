package io.podrouter;

import io.podrouter.backend.SocketBudget;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the parallel collector's old generation once it has grown by a share of what survived
 * its last collection (the rule Go's collector follows with GOGC), instead of when the heap reaches
 * {@code -Xmx}.
 *
 * <p>The parallel collector never collects its old generation before the heap is at its maximum:
 * it expands it. A proxy promotes what lives a few seconds (route cache entries that a churn of new
 * tenants evicts, above all), so under a steady churn resident memory climbs towards {@code -Xmx}
 * (1 GiB by default) with nothing live to show for it (bench/RESULTS.md: 129 to 166 MiB in 90 s of
 * cold load). With this goal it stays within about twice the live set. A collection's pause is
 * what marking and compacting the live set costs, the same as the one the collector would make at
 * {@code -Xmx}, only sooner; the headroom and the interval keep them rare (at 14,000 new tenants
 * a second and a 32,000-entry cache, one every 20-30 s, 60 ms; at the hot load, none in minutes).
 *
 * <p>Only the parallel collector needs it (G1, ZGC and Shenandoah collect the old generation on
 * their own; the serial collector collects it whenever it is full). A collection that falls due
 * while sockets open at {@value #BURST_OPENS_PER_SECOND} a second or more waits for the burst to
 * end, up to {@code MAX_BURST_WAIT_NANOS}: clients that connect during a pause overflow the listen
 * queue. With
 * {@code -XX:+UseAdaptiveSizePolicyWithSystemGC} (bin/jvm.sh sets it) each collection also gives
 * back the room the old generation no longer needs. The watch is the JVM's own usage threshold
 * on the old generation's pool, checked after every young collection: nothing runs per request.
 */
final class OldGenerationGoal {
    /** {@code -D} name of the headroom, in percent of the live old generation; {@code off} turns it off. */
    static final String HEADROOM_PROPERTY = "podrouter.old-generation-headroom-percent";
    static final int DEFAULT_HEADROOM_PERCENT = 50;
    /** Headroom below which collections would come too often for too little: a small live set gets this much. */
    static final long MIN_HEADROOM_BYTES = 8L << 20;
    /**
     * At most one collection in this long. When the old generation passes its goal sooner, the
     * collection waits for the interval's end: 10,000 connections opening in a few seconds promote
     * their state, which is live, and collecting after each step of it would pause for nothing
     * (measured without the interval: four collections in 7 s, freeing almost nothing, the last
     * 296 ms). One collection at the end of it finds the new live size, and the goal moves up.
     */
    static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * What a socket keeps in the old generation: its Netty channel, pipeline, handlers and timers.
     * Measured at 10,000 clients (a class histogram of the live heap): 62 MiB for 17,142 sockets,
     * the clients and 7,142 server connections, 3.7 KiB each on JDK 25.
     */
    static final long OLD_BYTES_PER_SOCKET = 4 << 10;

    /**
     * Sockets opened per second above which a due collection waits: a stop-the-world pause while
     * clients connect leaves their handshakes in the listen queue, and past its bound (4,096 on
     * Linux by default) the kernel drops them, each to wait a second or more for a retransmission.
     * Measured at 10,000 clients reconnecting (bench/RESULTS.md): a 277 ms collection 1.5 s into
     * the burst, 448 dropped; 606 for another; none when it came after the burst.
     */
    static final long BURST_OPENS_PER_SECOND = 1000;
    /** How often the rate of sockets opened is sampled, and a waiting collection looks again. */
    static final long BURST_SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** The longest a collection waits for a burst to end: memory stays bounded under a steady churn of connections. */
    static final long MAX_BURST_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final Logger log = LoggerFactory.getLogger(OldGenerationGoal.class);
    private static final String PARALLEL_OLD_POOL = "PS Old Gen";
    /** A pause an operator should see in the log without turning on debug. */
    private static final long LONG_PAUSE_MILLIS = 100;

    private final MemoryPoolMXBean oldGeneration;
    private final GarbageCollectorMXBean fullCollector;
    private final int headroomPercent;
    private final long minHeadroom;
    private final long minIntervalNanos;
    private final IntSupplier sockets;
    private final long bytesPerSocket;
    private final LongSupplier opened;
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "podrouter-old-generation");
        thread.setDaemon(true);
        return thread;
    });
    private long lastCollection = System.nanoTime();
    private boolean deferred;
    /** The threshold the last collection set, before any allowance for sockets opened since. */
    private long goal;
    private int socketsAtCollection;
    /** Two samples of the sockets opened so far, the older first, and when each was taken. */
    private long openedBefore;
    private long openedBeforeAt;
    private long openedLast;
    private long openedLastAt;
    /** When a due collection began to wait for a burst of connections to end; 0: it does not. */
    private long burstWaitSince;

    private OldGenerationGoal(MemoryPoolMXBean oldGeneration, GarbageCollectorMXBean fullCollector,
                              int headroomPercent, long minHeadroom, long minIntervalNanos,
                              IntSupplier sockets, long bytesPerSocket, LongSupplier opened) {
        this.oldGeneration = oldGeneration;
        this.fullCollector = fullCollector;
        this.headroomPercent = headroomPercent;
        this.minHeadroom = minHeadroom;
        this.minIntervalNanos = minIntervalNanos;
        this.sockets = sockets;
        this.bytesPerSocket = bytesPerSocket;
        this.opened = opened;
    }

    /**
     * Starts the goal when this JVM runs the parallel collector and the headroom (system property
     * {@value #HEADROOM_PROPERTY}) is not {@code off}; says in the log what it does or why not.
     */
    static void startIfParallel() {
        String setting = System.getProperty(HEADROOM_PROPERTY, Integer.toString(DEFAULT_HEADROOM_PERCENT)).trim();
        if (setting.equalsIgnoreCase("off")) {
            log.info("old generation: left to the collector ({}=off)", HEADROOM_PROPERTY);
            return;
        }
        int percent;
        try {
            percent = Integer.parseInt(setting);
        } catch (NumberFormatException e) {
            percent = -1;
        }
        if (percent < 0) {
            log.warn("old generation: {}={} is not a percentage or off; taking {}", HEADROOM_PROPERTY, setting,
                    DEFAULT_HEADROOM_PERCENT);
            percent = DEFAULT_HEADROOM_PERCENT;
        }
        start(percent, MIN_HEADROOM_BYTES, MIN_INTERVAL_NANOS, SocketBudget.PROCESS::open, OLD_BYTES_PER_SOCKET,
                SocketBudget.PROCESS::openedSoFar);
    }

    /** Starts the goal with these settings and no allowance for sockets, unless the parallel collector is not the one running. */
    static void start(int headroomPercent, long minHeadroom, long minIntervalNanos) {
        start(headroomPercent, minHeadroom, minIntervalNanos, () -> 0, 0);
    }

    /**
     * Starts the goal with these settings, unless the parallel collector is not the one running.
     *
     * @param sockets the sockets open now
     * @param bytesPerSocket what each socket opened since the last collection adds to the goal
     */
    static void start(int headroomPercent, long minHeadroom, long minIntervalNanos, IntSupplier sockets,
                      long bytesPerSocket) {
        start(headroomPercent, minHeadroom, minIntervalNanos, sockets, bytesPerSocket, null);
    }

    /**
     * The same, and a due collection waits while sockets open faster than {@value
     * #BURST_OPENS_PER_SECOND} a second (at most {@link #MAX_BURST_WAIT_NANOS}).
     *
     * @param opened the sockets opened so far; {@code null}: collections never wait for a burst
     */
    static void start(int headroomPercent, long minHeadroom, long minIntervalNanos, IntSupplier sockets,
                      long bytesPerSocket, LongSupplier opened) {
        MemoryPoolMXBean pool = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.getName().equals(PARALLEL_OLD_POOL)
                        && p.isUsageThresholdSupported())
                .findFirst().orElse(null);
        GarbageCollectorMXBean collector = pool == null ? null : ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(c -> List.of(c.getMemoryPoolNames()).contains(PARALLEL_OLD_POOL))
                .findFirst().orElse(null);
        if (pool == null || collector == null) {
            return;
        }
        OldGenerationGoal goal = new OldGenerationGoal(pool, collector, headroomPercent, minHeadroom, minIntervalNanos,
                sockets, bytesPerSocket, opened);
        if (opened != null) {
            goal.later.scheduleAtFixedRate(goal::sampleOpened, 0, BURST_SAMPLE_NANOS, TimeUnit.NANOSECONDS);
        }
        ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(goal.listener(), null, null);
        long live = pool.getUsage().getUsed();
        long threshold = goal.setThreshold(live);
        goal.socketsAtCollection = sockets.getAsInt();
        log.info("old generation: collected when it passes its live size plus {}% (at least {} MiB more, at most once in {} s); the first at {} MiB",
                headroomPercent, minHeadroom >> 20, TimeUnit.NANOSECONDS.toSeconds(minIntervalNanos), threshold >> 20);
    }

    /** Where the next collection starts: the live size plus its headroom, never past the pool's maximum. */
    static long threshold(long live, int headroomPercent, long minHeadroom, long max) {
        long headroom = Math.max(minHeadroom, live / 100 * headroomPercent);
        long goal = live + headroom;
        return max > 0 ? Math.min(goal, max) : goal;
    }

    /**
     * The threshold once {@code opened} sockets more than at the last collection are open: each
     * adds what it keeps, since a collection would find that live. Never past the pool's maximum.
     */
    static long withSockets(long threshold, int opened, long bytesPerSocket, long max) {
        long more = threshold + Math.max(0, opened) * bytesPerSocket;
        return max > 0 ? Math.min(more, max) : more;
    }

    /** Whether {@code opens} sockets opened in {@code elapsedNanos} are a burst a pause should not meet. */
    static boolean burst(long opens, long elapsedNanos) {
        return elapsedNanos > 0 && opens * TimeUnit.SECONDS.toNanos(1) >= BURST_OPENS_PER_SECOND * elapsedNanos;
    }

    private synchronized void sampleOpened() {
        openedBefore = openedLast;
        openedBeforeAt = openedLastAt;
        openedLast = opened.getAsLong();
        openedLastAt = System.nanoTime();
    }

    /** Whether sockets open fast now: over the 250-500 ms since the older of the two samples. */
    private boolean socketsArriving(long now) {
        return opened != null && openedBeforeAt != 0 && burst(opened.getAsLong() - openedBefore, now - openedBeforeAt);
    }

    private long setThreshold(long live) {
        goal = threshold(live, headroomPercent, minHeadroom, oldGeneration.getUsage().getMax());
        oldGeneration.setUsageThreshold(goal);
        return goal;
    }

    /**
     * Whether the old generation passed its goal by no more than the sockets opened since the last
     * collection keep (10,000 clients connecting): then the threshold moves up by that, instead
     * of a collection that would pause for a live set (measured at 10,000 clients: 186-203 ms, to
     * free 6 of 69-76 MiB).
     */
    private boolean grewWithSockets() {
        int opened = sockets.getAsInt() - socketsAtCollection;
        long allowed = withSockets(goal, opened, bytesPerSocket, oldGeneration.getUsage().getMax());
        if (allowed <= oldGeneration.getUsage().getUsed() || allowed <= oldGeneration.getUsageThreshold()) {
            return false;
        }
        oldGeneration.setUsageThreshold(allowed);
        log.debug("old generation: grown with {} sockets more than at its last collection; next at {} MiB",
                opened, allowed >> 20);
        return true;
    }

    private NotificationListener listener() {
        return (Notification notification, Object handback) -> {
            if (notification.getType().equals(MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED)
                    && MemoryNotificationInfo.from((CompositeData) notification.getUserData())
                    .getPoolName().equals(PARALLEL_OLD_POOL)) {
                collect();
            }
        };
    }

    /** Runs on the JVM's notification thread, once per crossing of the threshold. */
    private synchronized void collect() {
        if (grewWithSockets()) {
            return;
        }
        long now = System.nanoTime();
        long wait = lastCollection + minIntervalNanos - now;
        if (wait > 0) {
            lookAgainIn(wait);
            return;
        }
        collectNow(now);
    }

    /** Has {@link #collectIfStillPast} look again after {@code delayNanos}, unless a look is due already. */
    private void lookAgainIn(long delayNanos) {
        if (!deferred) {
            deferred = true;
            later.schedule(this::collectIfStillPast, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void collectIfStillPast() {
        deferred = false;
        long threshold = oldGeneration.getUsageThreshold();
        if (!grewWithSockets() && threshold > 0 && oldGeneration.getUsage().getUsed() >= threshold) {
            collectNow(System.nanoTime());
        } else {
            burstWaitSince = 0;
        }
    }

    private void collectNow(long now) {
        if (socketsArriving(now)) {
            if (burstWaitSince == 0) {
                burstWaitSince = now;
            }
            if (now - burstWaitSince < MAX_BURST_WAIT_NANOS) {
                lookAgainIn(BURST_SAMPLE_NANOS);
                return;
            }
        }
        if (burstWaitSince != 0) {
            log.debug("old generation: its collection waited {} ms for sockets to stop opening fast",
                    TimeUnit.NANOSECONDS.toMillis(now - burstWaitSince));
            burstWaitSince = 0;
        }
        long before = oldGeneration.getUsage().getUsed();
        lastCollection = now;
        long collections = fullCollector.getCollectionCount();
        long start = System.nanoTime();
        System.gc();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (fullCollector.getCollectionCount() == collections) {
            // -XX:+DisableExplicitGC: nothing to do but stop asking.
            oldGeneration.setUsageThreshold(0);
            log.warn("old generation: System.gc() collects nothing in this JVM (-XX:+DisableExplicitGC?); "
                    + "left to the collector, which collects it at -Xmx");
            return;
        }
        long live = oldGeneration.getCollectionUsage().getUsed();
        long threshold = setThreshold(live);
        socketsAtCollection = sockets.getAsInt();
        String line = "old generation: {} MiB, collected to {} MiB in {} ms; next at {} MiB";
        if (millis >= LONG_PAUSE_MILLIS) {
            log.info(line + " (a long pause: the live set is large; G1 keeps them short, see README)",
                    before >> 20, live >> 20, millis, threshold >> 20);
        } else {
            log.debug(line, before >> 20, live >> 20, millis, threshold >> 20);
        }
    }
}
