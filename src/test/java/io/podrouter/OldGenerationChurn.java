package io.podrouter;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM's main for {@link OldGenerationGoalTest}: what a churn of new tenants does to the old
 * generation. It keeps the newest 16,000 of a stream of 1 KiB entries (16 MiB live, like a
 * bounded route cache), so every entry outlives a few young collections, is promoted and then
 * dropped. Prints the old generation's peak use (MiB) and its full collections, on the parallel
 * collector or G1.
 */
public final class OldGenerationChurn {
    private static final int LIVE_ENTRIES = 16_000;
    private static final int ENTRIES = 800_000;
    /** What each request allocates and drops at once (a few KiB in a proxy): sets the young collections' pace. */
    private static final int TRANSIENT_PER_ENTRY = 8;

    private OldGenerationChurn() {
    }

    public static void main(String[] args) {
        // args: the headroom in percent (or off), the shortest interval between collections, and how
        // long to wait after the churn for a full collection, in seconds.
        if (!args[0].equals("off")) {
            OldGenerationGoal.start(Integer.parseInt(args[0]), OldGenerationGoal.MIN_HEADROOM_BYTES,
                    TimeUnit.SECONDS.toNanos(Long.parseLong(args[1])));
        }
        byte[][] cache = new byte[LIVE_ENTRIES][];
        long transientBytes = 0;
        for (int i = 0; i < ENTRIES; i++) {
            cache[i % LIVE_ENTRIES] = new byte[1024];
            for (int j = 0; j < TRANSIENT_PER_ENTRY; j++) {
                transientBytes += new byte[1024].length;
            }
        }
        MemoryPoolMXBean old = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getName().endsWith("Old Gen")).findFirst().orElseThrow();
        GarbageCollectorMXBean full = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(c -> c.getName().equals("PS MarkSweep") || c.getName().equals("G1 Old Generation"))
                .findFirst().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
        while (full.getCollectionCount() == 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        long fullCollections = full.getCollectionCount();
        System.out.println("peak " + (old.getPeakUsage().getUsed() >> 20) + " full " + fullCollections
                + " kept " + cache[ENTRIES % LIVE_ENTRIES].length + " transient " + (transientBytes >> 20));
    }
}
