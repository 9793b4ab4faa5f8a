package io.podrouter.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.FakeDirectory;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lookups past max-in-flight wait in a bounded queue instead of failing at once; a slow first
 * directory URL is hedged to the next one. Real routers, fake directories that count lookups.
 */
class LookupQueueAndHedgeTest {
    static TestBackend pod;

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startPod() throws Exception {
        pod = new TestBackend("pod1");
    }

    @AfterAll
    static void stopPod() {
        pod.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private FakeDirectory directory() throws Exception {
        FakeDirectory d = new FakeDirectory().otherwise(key -> FakeDirectory.Answer.text("pod1"));
        toClose.add(d);
        return d;
    }

    private Podrouter router(String directoryYaml) throws Exception {
        Podrouter router = new RouterFixture(dir).pod("pod1", pod).routing(directoryYaml).start();
        toClose.add(router);
        return router;
    }

    private RawHttp client(Podrouter router) throws Exception {
        RawHttp http = new RawHttp(router.port());
        toClose.add(http);
        return http;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void pastMaxInFlightAMissWaitsForAPlaceAndIsServed() throws Exception {
        FakeDirectory directory = directory().hold();
        Podrouter router = router("""
                directory:
                  url: %s
                  max-in-flight: 1
                """.formatted(directory.url()));
        RawHttp first = client(router).send("GET /x HTTP/1.1\r\nHost: a.example.com\r\n\r\n");
        await("the first lookup reached the directory", () -> directory.lookups() == 1);
        RawHttp second = client(router).send("GET /x HTTP/1.1\r\nHost: b.example.com\r\n\r\n");
        await("the second lookup is queued", () -> router.routeCache().directory().queuedNow() == 1);
        assertThat(directory.lookups()).as("not sent while the first is in flight").isEqualTo(1);
        directory.release();
        assertThat(first.read().status()).isEqualTo(200);
        assertThat(second.read().status()).isEqualTo(200);
        assertThat(directory.lookups()).isEqualTo(2);
        assertThat(router.routeCache().directory().outcomes().get("overloaded")).isZero();
    }

    @Test
    void aLookupThatWaitsPastQueueTimeoutGets503() throws Exception {
        FakeDirectory directory = directory().hold();
        Podrouter router = router("""
                directory:
                  url: %s
                  timeout: 3s
                  max-in-flight: 1
                  queue-timeout: 200ms
                """.formatted(directory.url()));
        RawHttp first = client(router).send("GET /x HTTP/1.1\r\nHost: a.example.com\r\n\r\n");
        await("the first lookup reached the directory", () -> directory.lookups() == 1);
        RawHttp second = client(router).send("GET /x HTTP/1.1\r\nHost: b.example.com\r\n\r\n");
        await("the second lookup is queued", () -> router.routeCache().directory().queuedNow() == 1);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // past queue-timeout, on purpose
        directory.release();
        assertThat(first.read().status()).isEqualTo(200);
        assertThat(second.read().status()).isEqualTo(503);
        assertThat(router.routeCache().directory().circuitOpen()).as("waiting is no directory failure").isFalse();
    }

    @Test
    void aSlowFirstUrlIsHedgedToTheFallbackAndLookupsCompleteFast() throws Exception {
        FakeDirectory slow = directory().delay(2_000);
        FakeDirectory fast = directory();
        Podrouter router = router("""
                directory:
                  url: %s
                  fallback-urls: [ "%s" ]
                  timeout: 5s
                  hedge-after: 50ms
                """.formatted(slow.url(), fast.url()));
        RawHttp http = client(router);
        long[] millis = new long[20];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            RawHttp.Response r = http.send("GET /x HTTP/1.1\r\nHost: h" + i + ".example.com\r\n\r\n").read();
            millis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.status()).isEqualTo(200);
        }
        Arrays.sort(millis);
        assertThat(millis[millis.length * 9 / 10]).as("p90 of request times, ms: " + Arrays.toString(millis)).isLessThan(100);
        assertThat(millis[millis.length - 1]).as("slowest, ms").isLessThan(1_000);
        assertThat(fast.lookups()).isEqualTo(20);
        assertThat(router.routeCache().directory().hedges()).isEqualTo(20);
        assertThat(router.routeCache().directory().circuitOpen()).isFalse();
    }

    @Test
    void withBothUrlsHealthyTheFallbackSeesFewLookups() throws Exception {
        FakeDirectory first = directory();
        FakeDirectory fallback = directory();
        Podrouter router = router("""
                directory:
                  url: %s
                  fallback-urls: [ "%s" ]
                  hedge-after: 50ms
                """.formatted(first.url(), fallback.url()));
        RawHttp http = client(router);
        int n = 200;
        for (int i = 0; i < n; i++) {
            assertThat(http.send("GET /x HTTP/1.1\r\nHost: k" + i + ".example.com\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(first.lookups()).isEqualTo(n);
        assertThat(fallback.lookups()).as("hedged lookups").isLessThan(n / 10);
    }
}
