package io.podrouter.directory;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.podrouter.backend.UpstreamPool;
import io.podrouter.config.DirectoryConfig;
import io.podrouter.config.DirectoryUrl;
import java.util.List;
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
    private static final int IDLE_PER_LOOP = 32;

    private final DirectoryConfig config;
    private final List<UpstreamPool> pools;
    private final CircuitBreaker circuit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder requests = new LongAdder();

    /** @param transport a bootstrap with channel type and options; its handler is replaced */
    public DirectoryClient(DirectoryConfig config, Bootstrap transport) {
        this.config = config;
        Bootstrap bootstrap = transport.clone().handler(new DirectoryChannelInitializer(config.maxAnswerBytes()));
        this.pools = config.urls().stream().map(u -> new UpstreamPool(u.address(), bootstrap, IDLE_PER_LOOP)).toList();
        this.circuit = new CircuitBreaker(config.circuitFailures(), config.circuitOpenFor().toNanos(), System::nanoTime);
    }

    /** Looks {@code key} up; {@code then} runs on {@code loop} (at once, when failing fast). */
    public void lookup(String key, EventLoop loop, Consumer<DirectoryAnswer> then) {
        if (inFlight.incrementAndGet() > config.maxInFlight()) {
            inFlight.decrementAndGet();
            then.accept(OVERLOADED);
            return;
        }
        if (!circuit.allows()) {
            inFlight.decrementAndGet();
            then.accept(CIRCUIT_OPEN);
            return;
        }
        requests.increment();
        new DirectoryLookup(this, key, loop, then).start();
    }

    void finished(DirectoryAnswer answer) {
        inFlight.decrementAndGet();
        if (answer instanceof DirectoryAnswer.Failed) {
            circuit.failed();
        } else {
            circuit.succeeded();
        }
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
