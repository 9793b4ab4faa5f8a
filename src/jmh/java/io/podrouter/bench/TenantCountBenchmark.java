package io.podrouter.bench;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.podrouter.stats.SpaceSaving;
import io.podrouter.stats.TenantCounter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What counting a request's routing key for the busiest tenants costs: the sketch alone, and
 * through {@link TenantCounter} (its thread-local; on a JMH thread, which is not an event loop,
 * Netty's FastThreadLocal takes its slower path, so this is an upper bound). With 100 tenants all
 * keys fit the sketch; with 1000 (bench/compare.sh's hot workload) and 100 000 most requests
 * replace the least counted key. Run with {@code mvn -Pjmh test-compile exec:exec
 * -Djmh.args="TenantCountBenchmark -prof gc"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TenantCountBenchmark {
    @Param({"100", "1000", "100000"})
    public int tenants;

    private String[] keys;
    private int next;
    private SpaceSaving sketch;
    private TenantCounter counter;
    private EventExecutor executor;

    @Setup(Level.Trial)
    public void setUp() {
        keys = new String[tenants];
        for (int i = 0; i < tenants; i++) {
            keys[i] = "tenant" + i + ".example.com";
        }
        sketch = new SpaceSaving(TenantCounter.DEFAULT_CAPACITY);
        counter = new TenantCounter(TenantCounter.DEFAULT_CAPACITY);
        executor = new DefaultEventExecutor();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        executor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private String nextKey() {
        String k = keys[next];
        next = next + 1 == keys.length ? 0 : next + 1;
        return k;
    }

    @Benchmark
    public long offerToTheSketch() {
        sketch.offer(nextKey(), "pod0");
        return sketch.total();
    }

    @Benchmark
    public void countThroughTheCounter() {
        counter.count(nextKey(), "pod0", executor);
    }
}
