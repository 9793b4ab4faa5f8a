package io.podrouter.accesslog;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What the access log's writer spends on a line before the kernel: formatting a proxied
 * request's record into bytes, in each format. A request with a canonical key allocates nothing
 * in either format. Run with {@code mvn -Pjmh test-compile exec:exec
 * -Djmh.args="AccessLineBenchmark -prof gc"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLineBenchmark {
    private final AccessRecord record = new AccessRecord(System.currentTimeMillis(), "127.0.0.1", "GET", "/orders?id=7",
            "HTTP/1.1", "h23.example.com", "pod2", "127.0.0.1:19103", 200, 9, "hit", -1, 0, 0, 412, 431,
            "3df54f61bb36618cbb5a4231f58a9a51");
    private final LogLine line = new LogLine();
    private final LineClock textClock = LineFormat.TEXT.newClock();
    private final LineClock isoClock = LineFormat.JSON.newClock();

    @Benchmark
    public int textLine() {
        line.clear();
        LineFormat.TEXT.write(line, record, textClock);
        return line.length();
    }

    @Benchmark
    public int jsonLine() {
        line.clear();
        LineFormat.JSON.write(line, record, isoClock);
        return line.length();
    }
}
