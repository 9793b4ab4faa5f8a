package io.podrouter.backend;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Responses counted by status code, cheap enough for every request: one contention-free adder
 * per code that has occurred, created on first use.
 */
public final class StatusCounts {
    private static final int MIN = 100;
    private static final int MAX = 599;
    private final LongAdder[] counts = new LongAdder[MAX - MIN + 1];

    public void count(int status) {
        int i = Math.min(Math.max(status, MIN), MAX) - MIN;
        LongAdder a = counts[i];
        if (a == null) {
            a = create(i);
        }
        a.increment();
    }

    private synchronized LongAdder create(int i) {
        if (counts[i] == null) {
            counts[i] = new LongAdder();
        }
        return counts[i];
    }

    /** Calls {@code each} with (status, count) for every status seen. */
    public void forEach(BiConsumer<Integer, Long> each) {
        for (int i = 0; i < counts.length; i++) {
            LongAdder a = counts[i];
            if (a != null) {
                each.accept(i + MIN, a.sum());
            }
        }
    }

    public long total() {
        long n = 0;
        for (LongAdder a : counts) {
            if (a != null) {
                n += a.sum();
            }
        }
        return n;
    }
}
