package io.podrouter.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it until a deadline, instead of sleeping for a guessed time. */
public final class Poll {
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Poll() {
    }

    /** Polls {@code condition} until it holds; fails with {@code what} if it does not within 5 s. */
    public static void until(String what, BooleanSupplier condition) {
        until(Duration.ofSeconds(5), what, condition);
    }

    /**
     * Polls {@code condition} until it holds; fails when {@code within} passes first.
     *
     * @return the nanoseconds it took
     */
    public static long until(Duration within, String what, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within.toMillis() + "ms: " + what);
            }
            pause();
        }
        return System.nanoTime() - start;
    }

    /** A short pause between two polls. */
    public static void pause() {
        try {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(STEP_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
