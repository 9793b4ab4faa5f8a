package io.podrouter;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * A child JVM's main for {@link OldGenerationGoalTest}: 10,000 clients connecting. Each connection
 * keeps 3.5 KiB (its share of a Netty channel's state) for as long as it is open, and each
 * request on it allocates and drops some more; the sockets count goes up with them. Prints the
 * full collections the goal asked for (System.gc()): up to JDK 23 the collector makes some of its own.
 */
public final class OldGenerationConnections {
    private static final int CONNECTIONS = 10_000;

    private OldGenerationConnections() {
    }

    public static void main(String[] args) {
        // args: the bytes each socket opened adds to the goal (0: no allowance); how long to wait
        // after the connections opened for a full collection, in seconds.
        AtomicInteger explicit = new AtomicInteger();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)
                        && GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
                        .getGcCause().equals("System.gc()")) {
                    explicit.incrementAndGet();
                }
            }, null, null);
        }
        AtomicInteger sockets = new AtomicInteger();
        OldGenerationGoal.start(OldGenerationGoal.DEFAULT_HEADROOM_PERCENT, OldGenerationGoal.MIN_HEADROOM_BYTES, 0,
                sockets::get, Long.parseLong(args[0]));
        byte[][] connections = new byte[CONNECTIONS][];
        long transientBytes = 0;
        for (int i = 0; i < CONNECTIONS; i++) {
            connections[i] = new byte[3584];
            sockets.incrementAndGet();
            for (int j = 0; j < 16; j++) {
                transientBytes += new byte[1024].length;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        while (explicit.get() == 0 && System.nanoTime() - deadline < 0) {
            // Requests go on: young collections, each one a chance for the goal to act.
            for (int j = 0; j < 1024; j++) {
                transientBytes += new byte[1024].length;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        System.out.println("full " + explicit.get() + " kept " + connections[CONNECTIONS - 1].length
                + " transient " + (transientBytes >> 20));
    }
}
