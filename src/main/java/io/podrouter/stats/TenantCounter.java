package io.podrouter.stats;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Counts requests by routing key for the busiest-tenants view. Each event loop counts into its
 * own {@link SpaceSaving} (a thread-local: no lock, no shared cache line); a reader asks each loop
 * to hand its sketch over and start a new one, so a sketch is only ever touched by one thread at
 * a time and the hand-over goes through the executors' queues.
 */
public final class TenantCounter {
    /** Keys one event loop counts between two hand-overs (one per second); past it the rarest give way. */
    public static final int DEFAULT_CAPACITY = 256;

    private final int capacity;
    private final Queue<LoopSketch> loops = new ConcurrentLinkedQueue<>();
    private final FastThreadLocal<LoopSketch> local = new FastThreadLocal<>();

    public TenantCounter(int capacity) {
        this.capacity = capacity;
    }

    /** One request for {@code key}, routed to {@code pod}; called on an event loop. */
    public void count(String key, String pod, EventExecutor loop) {
        LoopSketch s = local.getIfExists();
        if (s == null) {
            s = new LoopSketch(loop, capacity);
            local.set(s);
            loops.add(s);
        }
        s.current.offer(key, pod);
    }

    /**
     * Takes every loop's sketch, replacing it with an empty one; each taken sketch is given to
     * {@code sink} on {@code reader}. Never waits.
     */
    public void collect(EventExecutor reader, Consumer<SpaceSaving> sink) {
        for (LoopSketch s : loops) {
            if (s.loop.isShuttingDown()) {
                loops.remove(s);
                continue;
            }
            try {
                s.loop.execute(() -> {
                    SpaceSaving taken = s.current;
                    if (taken.total() == 0) {
                        return;
                    }
                    s.current = new SpaceSaving(capacity);
                    reader.execute(() -> sink.accept(taken));
                });
            } catch (RejectedExecutionException e) {
                loops.remove(s); // the loop stopped meanwhile: nothing more will be counted there
            }
        }
    }

    private static final class LoopSketch {
        final EventExecutor loop;
        /** Only read and replaced on {@link #loop}. */
        SpaceSaving current;

        LoopSketch(EventExecutor loop, int capacity) {
            this.loop = loop;
            this.current = new SpaceSaving(capacity);
        }
    }
}
