package io.podrouter.directory;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.podrouter.backend.UpstreamPool;
import io.podrouter.config.DirectoryConfig;
import io.podrouter.config.DirectoryUrl;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Asks the tenant directory about keys, over keep-alive connections pooled per event loop. Bounds
 * the lookups in flight and fails fast through a circuit breaker while the directory keeps failing.
 */
public final class DirectoryClient {
    static final DirectoryAnswer.Failed OVERLOADED = new DirectoryAnswer.Failed("too many directory lookups in flight");
    static final DirectoryAnswer.Failed CIRCUIT_OPEN = new DirectoryAnswer.Failed("the directory is failing (circuit open)");

    private final DirectoryConfig config;
    private final List<UpstreamPool> pools;
    private final CircuitBreaker circuit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder tenants = new LongAdder();
    private final LongAdder notTenants = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder failedFast = new LongAdder();
    private final LongAdder overloaded = new LongAdder();
    private final Histogram duration = Histogram.builder()
            .name("podrouter_directory_lookup_duration_seconds")
            .help("Time from sending a lookup to the tenant directory to its answer or failure")
            .classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .build();

    /** @param transport a bootstrap with channel type and options; its handler is replaced */
    public DirectoryClient(DirectoryConfig config, Bootstrap transport) {
        this.config = config;
        Bootstrap bootstrap = transport.clone().handler(new DirectoryChannelInitializer(config.maxAnswerBytes()));
        this.pools = config.urls().stream().map(u -> new UpstreamPool(u.address(), bootstrap, config.maxIdle())).toList();
        this.circuit = new CircuitBreaker(config.circuitFailures(), config.circuitOpenFor().toNanos(), System::nanoTime);
    }

    /** Looks {@code key} up; {@code then} runs on {@code loop} (at once, when failing fast). */
    public void lookup(String key, EventLoop loop, Consumer<DirectoryAnswer> then) {
        if (inFlight.incrementAndGet() > config.maxInFlight()) {
            inFlight.decrementAndGet();
            overloaded.increment();
            then.accept(OVERLOADED);
            return;
        }
        if (!circuit.allows()) {
            inFlight.decrementAndGet();
            failedFast.increment();
            then.accept(CIRCUIT_OPEN);
            return;
        }
        requests.increment();
        long started = System.nanoTime();
        new DirectoryLookup(this, key, loop, answer -> {
            duration.observe((System.nanoTime() - started) / 1e9);
            then.accept(answer);
        }).start();
    }

    void finished(DirectoryAnswer answer) {
        inFlight.decrementAndGet();
        if (answer instanceof DirectoryAnswer.Failed) {
            failures.increment();
            circuit.failed();
        } else {
            (answer instanceof DirectoryAnswer.Tenant ? tenants : notTenants).increment();
            circuit.succeeded();
        }
    }

    /** Lookups by outcome: tenant, not_tenant, failed, failed_fast (circuit open), overloaded (max-in-flight). */
    public Map<String, Long> outcomes() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("tenant", tenants.sum());
        out.put("not_tenant", notTenants.sum());
        out.put("failed", failures.sum());
        out.put("failed_fast", failedFast.sum());
        out.put("overloaded", overloaded.sum());
        return out;
    }

    /** The lookup duration histogram, for the metrics endpoint to register. */
    public Histogram durationHistogram() {
        return duration;
    }

    public boolean circuitOpen() {
        return circuit.isOpen();
    }

    /** Lookups sent to the directory so far (not counting those failed fast). */
    public long lookups() {
        return requests.sum();
    }

    List<DirectoryUrl> urls() {
        return config.urls();
    }

    List<UpstreamPool> pools() {
        return pools;
    }

    long timeoutNanos() {
        return config.timeout().toNanos();
    }
}
