package io.podrouter.proxy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What X-Request-Id costs a request: making an id (the common case: no trusted proxy in front)
 * and keeping a trusted proxy's. Run with {@code mvn -Pjmh test-compile exec:exec
 * -Djmh.args="RequestIdBenchmark -prof gc"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestIdBenchmark {
    private HttpHeaders withoutId;
    private HttpHeaders withId;

    @Setup(Level.Trial)
    public void setUp() {
        withoutId = new DefaultHttpHeaders().add("host", "tenant1.example.com").add("user-agent", "wrk");
        withId = new DefaultHttpHeaders().add("host", "tenant1.example.com").add("x-request-id", "edge-7f3a9c1d2e4b5a60");
    }

    @Benchmark
    public String makeAnId() {
        return RequestId.of(withoutId, false);
    }

    @Benchmark
    public String keepATrustedProxysId() {
        return RequestId.of(withId, true);
    }
}
