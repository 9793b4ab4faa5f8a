package io.podrouter.directory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Fails directory lookups fast while the directory keeps failing. After {@code threshold}
 * consecutive failures the circuit opens for {@code openNanos}; then one probe is let through,
 * whose success closes it and whose failure opens it again. Lock-free: any event loop may ask.
 */
final class CircuitBreaker {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CircuitBreaker.class);
    private static final int CLOSED = 0;
    private static final int OPEN = 1;
    private static final int PROBING = 2;

    private final int threshold;
    private final long openNanos;
    private final LongSupplier clock;
    private final AtomicInteger state = new AtomicInteger(CLOSED);
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong openUntil = new AtomicLong();

    CircuitBreaker(int threshold, long openNanos, LongSupplier clock) {
        this.threshold = threshold;
        this.openNanos = openNanos;
        this.clock = clock;
    }

    /** True when a lookup may go to the directory now. */
    boolean allows() {
        int s = state.get();
        if (s == CLOSED) {
            return true;
        }
        if (s == OPEN && clock.getAsLong() - openUntil.get() >= 0) {
            return state.compareAndSet(OPEN, PROBING);
        }
        return false;
    }

    void succeeded() {
        failures.set(0);
        if (state.getAndSet(CLOSED) != CLOSED) {
            log.info("tenant directory answers again: lookups go through (circuit closed)");
        }
    }

    void failed() {
        int before = state.get();
        if (before == PROBING || failures.incrementAndGet() >= threshold) {
            openUntil.set(clock.getAsLong() + openNanos);
            state.set(OPEN);
            if (before == CLOSED) {
                log.warn("tenant directory failed {} lookups in a row: failing lookups fast for {}ms at a time (circuit open)",
                        threshold, openNanos / 1_000_000);
            }
        }
    }

    boolean isOpen() {
        return state.get() != CLOSED;
    }
}
