package io.podrouter.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one kind of log line through at most {@code burst} times per window and counts the rest,
 * so that a flood of failing requests (thousands a second when a pod is down or the router is out
 * of file descriptors) leaves a readable log, and writing it does not take the event loop's time.
 * The metrics count every request; the log says why, and how many were left out.
 */
public final class LogBurst {
    private final int burst;
    private final long windowNanos;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicInteger inWindow = new AtomicInteger();
    private final AtomicLong heldBack = new AtomicLong();

    public LogBurst(int burst, Duration window) {
        this.burst = burst;
        this.windowNanos = window.toNanos();
    }

    /**
     * @return -1 when this line is to be left out; otherwise log it, and the value is how many
     *         lines were left out since the last one logged (worth saying when above 0)
     */
    public long admit() {
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start >= windowNanos && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() <= burst) {
            return heldBack.getAndSet(0);
        }
        heldBack.incrementAndGet();
        return -1;
    }

    /** " (N more like it left out of the log)", or nothing. */
    public static String leftOut(long heldBack) {
        return heldBack > 0 ? " (" + heldBack + " more like it left out of the log)" : "";
    }
}
