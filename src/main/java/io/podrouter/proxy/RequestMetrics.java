package io.podrouter.proxy;

import io.podrouter.backend.StatusCounts;
import io.podrouter.stats.TenantCounter;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;

/**
 * What the proxy counts per request: how long requests took, and the statuses of requests that
 * were answered before reaching a pod (each pod counts its own in {@link io.podrouter.backend.Pod#responses()}).
 */
public final class RequestMetrics {
    /** Recorded for a request whose client went away before its response was complete (nginx's convention). */
    static final int CLIENT_CLOSED = 499;

    private final Histogram duration = Histogram.builder()
            .name("podrouter_request_duration_seconds")
            .help("Time from a request's head to the end of its response, for requests sent to a pod")
            .classicOnly()
            .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .build();
    private final Counter retries = Counter.builder()
            .name("podrouter_retries")
            .help("Failed requests the retry rule was asked about, by verdict: retried, or why not")
            .labelNames("verdict")
            .build();
    /** One data point per verdict, looked up once: counting takes no label lookup. */
    private final CounterDataPoint[] retriesByVerdict = new CounterDataPoint[RetryRule.Verdict.values().length];
    private final StatusCounts unrouted = new StatusCounts();
    private final TenantCounter tenants = new TenantCounter(TenantCounter.DEFAULT_CAPACITY);

    public RequestMetrics() {
        for (RetryRule.Verdict v : RetryRule.Verdict.values()) {
            retriesByVerdict[v.ordinal()] = retries.labelValues(v.label);
        }
    }

    public Histogram duration() {
        return duration;
    }

    /** The retry rule's verdicts, by verdict. */
    public Counter retries() {
        return retries;
    }

    void countRetry(RetryRule.Verdict verdict) {
        retriesByVerdict[verdict.ordinal()].inc();
    }

    /** How often the retry rule said {@code verdict} ("retried", "body_sent"...). */
    public long retries(String verdict) {
        return retries.labelValues(verdict).getLongValue();
    }

    /** Statuses of requests answered by the router itself before a pod was chosen (400, 404, 431...). */
    public StatusCounts unrouted() {
        return unrouted;
    }

    /** Requests routed to a pod, by routing key, for the busiest tenants. */
    public TenantCounter tenants() {
        return tenants;
    }

    void observe(long startedNanos) {
        duration.observe((System.nanoTime() - startedNanos) / 1e9);
    }
}
