package io.podrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.config.HostAndPort;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server addresses are resolved away from the event loops, and a name that changes or fails is followed. */
class ServerAddressTest {
    private static final long SOON = TimeUnit.MILLISECONDS.toNanos(20);
    private static final String HOST = "t.example.com";

    @TempDir
    Path dir;
    Podrouter router;
    TestBackend backend;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anIpLiteralIsParsedOnceAndNeverResolved() {
        ServerAddress a = ServerAddress.of(new HostAndPort("10.1.2.3", 8080), host -> {
            throw new AssertionError("resolved " + host);
        }, 0, 0);

        assertThat(a.current()).isEqualTo(new InetSocketAddress(ip("10.1.2.3"), 8080));
        assertThat(a.current()).isSameAs(a.current());
        assertThat(a.failure()).isNull();
    }

    @Test
    void aNameIsAskedAgainWhenItsAnswerIsOldAndConnectsFollowTheNewAddress() {
        AtomicReference<String> answer = new AtomicReference<>("10.0.0.5");
        AtomicInteger asked = new AtomicInteger();
        ServerAddress a = ServerAddress.of(new HostAndPort("pod-a.internal", 80), host -> {
            asked.incrementAndGet();
            return InetAddress.getByAddress(host, ip(answer.get()).getAddress());
        }, SOON, SOON);
        assertThat(asked).hasValue(1);
        assertThat(a.current().getAddress()).isEqualTo(ip("10.0.0.5"));

        answer.set("10.0.0.7");
        Poll.until("the new address", () -> a.current().getAddress().equals(ip("10.0.0.7")));
        assertThat(a.current().getPort()).isEqualTo(80);
    }

    @Test
    void aNameThatStopsResolvingKeepsItsLastAddress() {
        AtomicReference<String> answer = new AtomicReference<>("10.0.0.5");
        AtomicInteger asked = new AtomicInteger();
        ServerAddress a = ServerAddress.of(new HostAndPort("pod-a.internal", 80), host -> {
            asked.incrementAndGet();
            if (answer.get() == null) {
                throw new UnknownHostException("the resolver is down");
            }
            return InetAddress.getByAddress(host, ip(answer.get()).getAddress());
        }, SOON, SOON);

        answer.set(null);
        int before = asked.get();
        Poll.until("asked again", () -> a.current() != null && asked.get() > before + 1);
        assertThat(a.current().getAddress()).isEqualTo(ip("10.0.0.5"));
        assertThat(a.failure()).isNull();
    }

    @Test
    void aNameThatNeverResolvedHasNoAddressAndSaysWhyUntilItResolves() {
        AtomicReference<String> answer = new AtomicReference<>();
        ServerAddress a = ServerAddress.of(new HostAndPort("pod-b.internal", 80), host -> {
            if (answer.get() == null) {
                throw new UnknownHostException("pod-b.internal: Name or service not known");
            }
            return InetAddress.getByAddress(host, ip(answer.get()).getAddress());
        }, SOON, SOON);

        assertThat(a.current()).isNull();
        assertThat(a.failure()).isEqualTo("cannot resolve pod-b.internal: Name or service not known");

        answer.set("10.0.0.9");
        Poll.until("resolved", () -> a.current() != null);
        assertThat(a.current().getAddress()).isEqualTo(ip("10.0.0.9"));
        assertThat(a.failure()).isNull();
    }

    @Test
    void aServerGivenByNameIsReachedAndOneWhoseNameDoesNotResolveIsTriedNoLongerThanARefusedConnect() throws Exception {
        backend = new TestBackend("live");
        int port = Integer.parseInt(backend.address().substring(backend.address().lastIndexOf(':') + 1));
        router = new RouterFixture(dir)
                .podYaml("pool", "passive: { failures: 1000 }\nservers:\n"
                        + "  - address: no-such-server.invalid:80\n"
                        + "  - address: localhost:" + port + "\n")
                .route(HOST, "pool").yaml("threads: 1\n").start();

        try (RawHttp http = new RawHttp(router.port())) {
            for (int i = 0; i < 4; i++) {
                RawHttp.Response r = http.send(Requests.get("/r" + i, HOST)).read();
                assertThat(r.status()).as("request %d", i).isEqualTo(200);
                assertThat(r.body()).isEqualTo("live host=" + HOST + " path=/r" + i);
            }
        }
        assertThat(backend.requests()).isEqualTo(4);
    }

    @Test
    void aPodWhoseOnlyServerHasNoAddressAnswers502() throws Exception {
        router = new RouterFixture(dir)
                .podYaml("pool", "servers:\n  - address: no-such-server.invalid:80\n")
                .route(HOST, "pool").yaml("threads: 1\n").start();

        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send(Requests.get("/", HOST)).read();
            assertThat(r.status()).isEqualTo(502);
        }
    }
}
