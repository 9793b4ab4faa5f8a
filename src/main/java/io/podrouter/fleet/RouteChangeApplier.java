package io.podrouter.fleet;

import io.podrouter.http.LogBurst;
import io.podrouter.http.LogText;
import io.podrouter.directory.RouteCache;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies stream entries to the cache of directory answers, and counts what each did: applied
 * (the cache held what it is about), ignored (it held nothing: nothing is created) or skipped (a
 * malformed entry or an unknown backend: one log line, nothing changes).
 *
 * <p>Called from one thread at a time (the stream's reader).
 */
final class RouteChangeApplier {
    private static final Logger log = LoggerFactory.getLogger(RouteChangeApplier.class);

    private final Supplier<RouteCache<?>> cache;
    private final LongAdder applied = new LongAdder();
    private final LongAdder ignored = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final Histogram lag = Histogram.builder()
            .name("podrouter_invalidation_lag_seconds")
            .help("From the time in a stream entry's ID (when it was written) to when this router applied it")
            .classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .build();
    private volatile long lastLagMillis = -1;
    /** Skipped entries get a line each, at most 20 per 10 s; the rest are counted on the next line. */
    private final LogBurst skipsLogged = new LogBurst(20, java.time.Duration.ofSeconds(10));

    /** @param cache the current cache of directory answers (a reload may bring another), or null when there is none */
    RouteChangeApplier(Supplier<RouteCache<?>> cache) {
        this.cache = cache;
    }

    /** Applies the entry {@code id} with {@code fields}, read at {@code nowMillis} (wall clock). */
    void apply(StreamId id, Map<String, String> fields, long nowMillis) {
        long lagMillis = Math.max(0, nowMillis - id.millis());
        lastLagMillis = lagMillis;
        lag.observe(lagMillis / 1000.0);
        RouteChange change;
        try {
            change = RouteChange.parse(fields);
        } catch (IllegalArgumentException e) {
            skip(id, e.getMessage());
            return;
        }
        RouteCache<?> routes = cache.get();
        if (routes == null) {
            ignored.increment();
            return;
        }
        RouteCache.Change result;
        if (change instanceof RouteChange.Move m) {
            result = routes.move(m.key(), m.backend(), m.ttl());
        } else if (change instanceof RouteChange.Forget f) {
            result = routes.forget(f.key());
        } else if (change instanceof RouteChange.ForgetBackend b) {
            result = routes.forgetBackend(b.backend());
        } else {
            result = routes.forgetAll();
        }
        switch (result) {
            case APPLIED -> {
                applied.increment();
                log.debug("stream entry {} applied: {}", id, change);
            }
            case NOT_HELD -> ignored.increment();
            case UNKNOWN_BACKEND -> skip(id, "backend '" + LogText.clip(backendOf(change)) + "' is no configured pod");
        }
    }

    private static String backendOf(RouteChange change) {
        if (change instanceof RouteChange.Move m) {
            return m.backend();
        }
        return change instanceof RouteChange.ForgetBackend b ? b.backend() : "";
    }

    private void skip(StreamId id, String why) {
        skipped.increment();
        long heldBack = skipsLogged.admit();
        if (heldBack >= 0) {
            log.warn("stream entry {} skipped, nothing changed: {}{}", id, why, LogBurst.leftOut(heldBack));
        }
    }

    long applied() {
        return applied.sum();
    }

    long ignored() {
        return ignored.sum();
    }

    long skipped() {
        return skipped.sum();
    }

    /** From the last applied entry's ID to when it was read, or -1 before the first. */
    long lastLagMillis() {
        return lastLagMillis;
    }

    Histogram lag() {
        return lag;
    }
}
