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
 * @param maxIdle idle keep-alive connections to the directory kept per event loop and URL
 */
public record DirectoryConfig(List<DirectoryUrl> urls, Duration timeout, int maxInFlight, int maxAnswerBytes,
                              int circuitFailures, Duration circuitOpenFor, int maxIdle) {
    public DirectoryConfig {
        urls = List.copyOf(urls);
    }
}
