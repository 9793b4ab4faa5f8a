package io.podrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server's maxconn is a hard limit; the excess waits in the pod's FIFO queue, within its size and timeout. */
class MaxconnAndQueueTest {
    private static final String HOST = "tenant.example.com";
    private static final int CLIENTS = 200;

    @TempDir
    Path dir;
    TestBackend backend;
    Podrouter router;

    @BeforeEach
    void startBackend() throws Exception {
        backend = new TestBackend("app");
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        backend.close();
    }

    private void startRouter(String podExtra, String timeouts) throws Exception {
        router = new RouterFixture(dir)
                .podYaml("pool", podExtra + "servers:\n  - { address: " + backend.address() + ", maxconn: 5 }\n")
                .route(HOST, "pool")
                .yaml("timeouts:\n" + timeouts)
                .start();
    }

    @Test
    void twoHundredRequestsAtOnceNeverPutMoreThanMaxconnOnTheServerAndAllSucceedWhenTheyMayWait() throws Exception {
        startRouter("", "  queue: 10s\n");

        List<RawHttp.Response> responses = Requests.atOnce(router.port(), CLIENTS, Requests.get("/slow?ms=100", HOST));

        assertThat(backend.maxInFlight()).isEqualTo(5);
        assertThat(Requests.count(responses, 200)).as("answered 200").isEqualTo(CLIENTS);
        assertThat(responses).allSatisfy(r -> assertThat(r.body()).isEqualTo("app slow"));
        assertThat(backend.requests("/slow")).isEqualTo(CLIENTS);
    }

    @Test
    void withAShortQueueTimeoutTheExcessGets503AndTheRestSucceed() throws Exception {
        startRouter("", "  queue: 150ms\n");

        List<RawHttp.Response> responses = Requests.atOnce(router.port(), CLIENTS, Requests.get("/slow?ms=100", HOST));

        long ok = Requests.count(responses, 200);
        long refused = Requests.count(responses, 503);
        assertThat(backend.maxInFlight()).isLessThanOrEqualTo(5);
        assertThat(ok + refused).as("every answer is 200 or 503").isEqualTo(CLIENTS);
        assertThat(ok).as("answered 200: at least the first five, at once").isGreaterThanOrEqualTo(5);
        // 100ms per request, 5 at a time, 150ms of patience: far fewer than 200 can be served.
        assertThat(refused).as("answered 503").isGreaterThanOrEqualTo(CLIENTS / 2);
        assertThat(backend.requests("/slow")).as("the server saw only the requests that were served").isEqualTo((int) ok);
        assertSlotsWereAllGivenBack();
    }

    @Test
    void withAFullQueueTheExcessGets503AtOnceAndTheQueuedOnesSucceed() throws Exception {
        startRouter("max-queue: 10\n", "  queue: 10s\n");

        List<RawHttp.Response> responses = Requests.atOnce(router.port(), CLIENTS, Requests.get("/slow?ms=300", HOST));

        long ok = Requests.count(responses, 200);
        long refused = Requests.count(responses, 503);
        assertThat(backend.maxInFlight()).isEqualTo(5);
        assertThat(ok + refused).as("every answer is 200 or 503").isEqualTo(CLIENTS);
        // The first 15 to arrive take the 5 slots and the 10 places in the queue, whatever the timing.
        assertThat(ok).as("answered 200").isGreaterThanOrEqualTo(15);
        assertThat(refused).as("answered 503").isGreaterThanOrEqualTo(CLIENTS / 2);
        assertThat(responses).filteredOn(r -> r.status() == 503)
                .allSatisfy(r -> assertThat(r.body()).startsWith("503 Service Unavailable"));
        assertSlotsWereAllGivenBack();
    }

    /**
     * The queue has one timer for all its requests (the oldest is always at its head): a request
     * queued later is refused only once its own timeout has passed, not with the one before it.
     */
    @Test
    void eachQueuedRequestWaitsItsOwnQueueTimeoutBeforeIts503() throws Exception {
        startRouter("", "  queue: 500ms\n");
        List<RawHttp> holders = new ArrayList<>();
        try (RawHttp first = new RawHttp(router.port()).timeout(10_000);
                RawHttp second = new RawHttp(router.port()).timeout(10_000)) {
            for (int i = 0; i < 5; i++) {
                holders.add(new RawHttp(router.port()).timeout(10_000).send(Requests.get("/slow?ms=3000", HOST)));
            }
            Poll.until(Duration.ofSeconds(10), "the five slots taken", () -> backend.inFlight() >= 5);
            long firstSent = System.nanoTime();
            first.send(Requests.get("/", HOST));
            // A deliberate gap: the second request's deadline is 250 ms after the first's.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
            long secondSent = System.nanoTime();
            second.send(Requests.get("/", HOST));

            assertThat(first.read().status()).isEqualTo(503);
            long firstWaited = System.nanoTime() - firstSent;
            assertThat(second.read().status()).isEqualTo(503);
            long secondWaited = System.nanoTime() - secondSent;
            assertThat(TimeUnit.NANOSECONDS.toMillis(firstWaited)).as("the first waited its timeout").isGreaterThanOrEqualTo(500);
            assertThat(TimeUnit.NANOSECONDS.toMillis(secondWaited)).as("the second waited its own").isGreaterThanOrEqualTo(500);
        } finally {
            for (RawHttp h : holders) {
                assertThat(h.read().status()).isEqualTo(200);
                h.close();
            }
        }
        assertThat(backend.requests("/")).as("neither queued request reached the server").isZero();
    }

    /** Once everything is answered, five requests at once get the five slots without waiting. */
    private void assertSlotsWereAllGivenBack() throws Exception {
        List<RawHttp.Response> again = Requests.atOnce(router.port(), 5, Requests.get("/slow?ms=10", HOST));
        assertThat(again).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    }
}
