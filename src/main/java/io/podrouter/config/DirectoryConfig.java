package io.podrouter.config;

import java.time.Duration;
import java.util.List;

/**
 * The tenant directory that resolves keys the map does not know.
 *
 * @param urls URL templates tried in order (the first, then another region...)
 * @param timeout for one lookup, all URLs included
 * @param maxInFlight lookups allowed at once; past it a request gets 503 at once
 * @param maxAnswerBytes a larger answer is a failure
 * @param circuitFailures consecutive failed lookups that open the circuit
 * @param circuitOpenFor how long an open circuit fails lookups fast before letting a probe through
 * @param maxIdle idle keep-alive connections to the directory kept per event loop and URL: as many as
 *     {@code maxInFlight} by default, since a burst of misses needs that many and each one closed
 *     past the cap is a new connection for the next lookup
 * @param maxQueued lookups that may wait for a free place once {@code maxInFlight} are in flight
 * @param queueTimeout how long a lookup may wait for that place (then it fails: 503)
 * @param hedgeAfter when the first URL has not answered after this long, ask the next one too; null: never
 * @param hedgeAdaptive hedge after the recent 95th percentile of lookup time (at least {@code hedgeAfter})
 * @param idleTimeout how long a pooled connection to the directory may sit unused before it is closed
 */
public record DirectoryConfig(List<DirectoryUrl> urls, Duration timeout, int maxInFlight, int maxAnswerBytes,
                              int circuitFailures, Duration circuitOpenFor, int maxIdle, int maxQueued,
                              Duration queueTimeout, Duration hedgeAfter, boolean hedgeAdaptive, Duration idleTimeout) {
    /** What the directory's settings are when the file does not say (its URLs are always said). */
    public static final DirectoryConfig DEFAULTS = new DirectoryConfig(List.of(), Duration.ofMillis(500), 1024, 4096, 5,
            Duration.ofSeconds(5), 1024, 10_000, Duration.ofSeconds(5), null, false, Duration.ofSeconds(10));
    /** The floor of {@code hedge-after: p95}: below it, a second request buys nothing but load. */
    public static final Duration ADAPTIVE_HEDGE_FLOOR = Duration.ofMillis(10);

    public DirectoryConfig {
        urls = List.copyOf(urls);
    }

    /** Without a wait queue bound of its own (the defaults) and without hedging. */
    public DirectoryConfig(List<DirectoryUrl> urls, Duration timeout, int maxInFlight, int maxAnswerBytes,
                           int circuitFailures, Duration circuitOpenFor, int maxIdle) {
        this(urls, timeout, maxInFlight, maxAnswerBytes, circuitFailures, circuitOpenFor, maxIdle, DEFAULTS.maxQueued,
                DEFAULTS.queueTimeout, null, false, DEFAULTS.idleTimeout);
    }
}
