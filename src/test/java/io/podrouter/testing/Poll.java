package io.podrouter.testing;

import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it, with a deadline, instead of sleeping a guessed time. */
public final class Poll {
    private static final long DEADLINE_MS = 5_000;

    private Poll() {
    }

    /** Returns once {@code condition} holds; fails with {@code what} if it does not within 5 s. */
    public static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("still not true after " + DEADLINE_MS + " ms: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what, e);
            }
        }
    }
}
