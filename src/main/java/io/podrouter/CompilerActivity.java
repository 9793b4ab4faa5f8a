package io.podrouter;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.LongSupplier;

/**
 * Whether the JIT compilers have gone quiet: over the last {@code window}, they spent under 5%
 * of it compiling. Read from the JVM's accumulated compilation time, sampled by each call to
 * {@link #quiet()}. Compilation comes in bursts with short lulls between them (a lull of half a
 * second is common while the hot path is still interpreted), so the window must be longer than
 * a lull.
 */
final class CompilerActivity {
    private static final double QUIET_SHARE = 0.05;

    private final long windowNanos;
    private final LongSupplier compileMillis;
    private final LongSupplier clock;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private boolean wentQuiet;

    CompilerActivity(Duration window) {
        this(window, totalCompilationMillis(), System::nanoTime);
    }

    /** @param compileMillis accumulated compilation time in ms, or null when the JVM does not report it */
    CompilerActivity(Duration window, LongSupplier compileMillis, LongSupplier clock) {
        this.windowNanos = window.toNanos();
        this.compileMillis = compileMillis;
        this.clock = clock;
        if (compileMillis != null) {
            samples.add(new Sample(clock.getAsLong(), compileMillis.getAsLong()));
        }
    }

    private record Sample(long at, long compiledMillis) {
    }

    private static LongSupplier totalCompilationMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit::getTotalCompilationTime : null;
    }

    /** Whether compilation time can be read at all (no JIT, or one that does not say: never quiet). */
    boolean measurable() {
        return compileMillis != null;
    }

    /** Takes a sample: true once a whole window has passed with the compilers under 5% busy. */
    boolean quiet() {
        if (compileMillis == null) {
            return false;
        }
        long now = clock.getAsLong();
        long compiled = compileMillis.getAsLong();
        samples.add(new Sample(now, compiled));
        // The window starts at the newest sample that is at least a window old.
        while (samples.size() > 2) {
            Iterator<Sample> oldest = samples.iterator();
            oldest.next();
            if (now - oldest.next().at() < windowNanos) {
                break;
            }
            samples.removeFirst();
        }
        Sample first = samples.peekFirst();
        long span = now - first.at();
        if (span < windowNanos) {
            return false;
        }
        double busy = (compiled - first.compiledMillis()) * 1_000_000.0 / span;
        wentQuiet = busy < QUIET_SHARE;
        return wentQuiet;
    }

    /** Whether the last sample found the compilers quiet. */
    boolean wentQuiet() {
        return wentQuiet;
    }
}
