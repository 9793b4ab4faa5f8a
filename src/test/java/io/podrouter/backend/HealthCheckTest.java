package io.podrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active health checks take a failing server out after {@code fall} bad checks and bring it back
 * after {@code rise} good ones; backups serve only while every primary is down.
 */
class HealthCheckTest {
    private static final int INTERVAL_MS = 200;
    private static final int RISE = 2;
    private static final int FALL = 2;
    /** Checks run every interval after the previous one ended, and the machine may be busy. */
    private static final long SLACK_MS = INTERVAL_MS + 1300;
    private static final String CHECK = "check: { path: /health, interval: " + INTERVAL_MS + "ms, timeout: 1s, rise: "
            + RISE + ", fall: " + FALL + " }\n";
    private static final String HOST = "t.example.com";

    @TempDir
    Path dir;
    final List<TestBackend> backends = new ArrayList<>();
    Podrouter router;
    RawHttp http;

    @AfterEach
    void stop() throws IOException {
        if (http != null) {
            http.close();
        }
        if (router != null) {
            router.close();
        }
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend(String name) throws InterruptedException {
        TestBackend b = new TestBackend(name);
        backends.add(b);
        return b;
    }

    private void start(String servers) throws Exception {
        router = new RouterFixture(dir)
                .podYaml("pool", CHECK + "servers:\n" + servers)
                .route(HOST, "pool")
                .start();
        http = new RawHttp(router.port());
    }

    /** Which server answers the next request (the first word of its body). */
    private String next() {
        try {
            RawHttp.Response r = http.send(Requests.get("/", HOST)).read();
            assertThat(r.status()).isEqualTo(200);
            return r.body().substring(0, r.body().indexOf(' '));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls with requests until one is answered by {@code server}; returns the milliseconds it took. */
    private long untilAnsweredBy(String server, Duration within) {
        long start = System.nanoTime();
        Poll.until(within, "a request answered by " + server, () -> next().equals(server));
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** Polls with requests until {@code server} is skipped; returns the milliseconds it took. */
    private long untilSkipped(String server, Duration within) {
        long start = System.nanoTime();
        // With round-robin over the servers that are up, a server that is up gets one of any
        // (servers up) requests in a row.
        Poll.until(within, server + " skipped", () -> {
            for (int i = 0; i < 3; i++) {
                if (next().equals(server)) {
                    return false;
                }
            }
            return true;
        });
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** A request on a new connection (the router closes a connection after refusing a request on it). */
    private RawHttp.Response getOnce() {
        try {
            return Requests.getOnce(router.port(), "/", HOST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void assertNextAnsweredOnlyBy(String server, int requests) {
        for (int i = 0; i < requests; i++) {
            assertThat(next()).as("request %d", i).isEqualTo(server);
        }
    }

    @Test
    void aServerFailingItsChecksStopsGettingRequestsWithinFallIntervalsAndGetsThemAgainWithinRiseIntervals() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        start("  - address: " + a.address() + "\n  - address: " + b.address() + "\n");
        List<String> first = List.of(next(), next(), next(), next());
        assertThat(first).containsExactlyInAnyOrder("a", "b", "a", "b");

        int checksBefore = a.requests("/health");
        a.healthStatus(500);
        long down = untilSkipped("a", Duration.ofSeconds(10));
        assertThat(down).as("ms until a was out").isLessThanOrEqualTo(FALL * INTERVAL_MS + SLACK_MS);
        assertThat(a.requests("/health") - checksBefore).as("checks of a before it was out").isGreaterThanOrEqualTo(FALL);
        assertNextAnsweredOnlyBy("b", 20);

        checksBefore = a.requests("/health");
        a.healthStatus(200);
        long up = untilAnsweredBy("a", Duration.ofSeconds(10));
        assertThat(up).as("ms until a was back").isLessThanOrEqualTo(RISE * INTERVAL_MS + SLACK_MS);
        assertThat(a.requests("/health") - checksBefore).as("checks of a before it was back").isGreaterThanOrEqualTo(RISE);
        assertThat(List.of(next(), next(), next(), next())).containsExactlyInAnyOrder("a", "b", "a", "b");
    }

    @Test
    void theBackupServesOnlyWhileEveryPrimaryIsDown() throws Exception {
        TestBackend p1 = backend("p1");
        TestBackend p2 = backend("p2");
        TestBackend backup = backend("backup");
        start("  - address: " + p1.address() + "\n  - address: " + p2.address() + "\n"
                + "  - { address: " + backup.address() + ", backup: true }\n");
        assertThat(List.of(next(), next(), next(), next())).containsExactlyInAnyOrder("p1", "p2", "p1", "p2");

        p1.healthStatus(500);
        untilSkipped("p1", Duration.ofSeconds(10));
        assertNextAnsweredOnlyBy("p2", 10);

        p2.healthStatus(500);
        long takeover = untilAnsweredBy("backup", Duration.ofSeconds(10));
        assertThat(takeover).as("ms until the backup took over").isLessThanOrEqualTo(FALL * INTERVAL_MS + SLACK_MS);
        assertNextAnsweredOnlyBy("backup", 10);

        p2.healthStatus(200);
        long back = untilAnsweredBy("p2", Duration.ofSeconds(10));
        assertThat(back).as("ms until p2 was back").isLessThanOrEqualTo(RISE * INTERVAL_MS + SLACK_MS);
        assertNextAnsweredOnlyBy("p2", 10);
        assertThat(backup.requestsButHealthChecks()).as("requests the backup served")
                .isGreaterThanOrEqualTo(11).isLessThan(backup.requests());
    }

    @Test
    void whenEveryServerIsDownTheRouterAnswers503AtOnce() throws Exception {
        TestBackend only = backend("only");
        start("  - address: " + only.address() + "\n");
        assertThat(next()).isEqualTo("only");

        only.healthStatus(500);
        Poll.until(Duration.ofSeconds(10), "503 from the router",
                () -> getOnce().status() == 503);
        int served = only.requestsButHealthChecks();
        RawHttp.Response r = getOnce();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).startsWith("503 Service Unavailable");
        assertThat(only.requestsButHealthChecks()).isEqualTo(served);
    }
}
