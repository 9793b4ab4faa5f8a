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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a pod spreads requests over its servers: leastconn, hash and weighted round-robin, seen from the servers. */
class BalancingTest {
    @TempDir
    Path dir;
    final List<TestBackend> backends = new ArrayList<>();
    Podrouter router;

    @AfterEach
    void stop() {
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

    @Test
    void leastconnSendsNewRequestsToTheServerWithFewestInFlight() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        router = new RouterFixture(dir)
                .podYaml("pool", "balance: leastconn\nservers:\n  - address: " + a.address() + "\n  - address: " + b.address() + "\n")
                .route("t.example.com", "pool")
                .start();
        // Four held requests, one after the other: with ties going to the first server they
        // land a, b, a, b. Then a's are answered: b has two in flight, a none. (While the router
        // has not yet seen a's answers, a and b tie and a, the first, still wins: the fast
        // requests below go to a whatever the timing.)
        List<RawHttp> holding = new ArrayList<>();
        try {
            for (int i = 1; i <= 4; i++) {
                RawHttp c = new RawHttp(router.port());
                holding.add(c);
                c.send(Requests.get("/hold", "t.example.com"));
                int sent = i;
                Poll.until(Duration.ofSeconds(5), sent + " held requests", () -> a.held() + b.held() == sent);
            }
            assertThat(a.held()).isEqualTo(2);
            assertThat(b.held()).isEqualTo(2);
            a.releaseHeld();
            Poll.until(Duration.ofSeconds(5), "a has answered", () -> a.inFlight() == 0);

            try (RawHttp http = new RawHttp(router.port())) {
                for (int i = 0; i < 20; i++) {
                    RawHttp.Response r = http.send(Requests.get("/fast", "t.example.com")).read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body()).as("request %d", i).startsWith("a ");
                }
            }
            assertThat(a.requests("/fast")).isEqualTo(20);
            assertThat(b.requests("/fast")).isZero();
            assertThat(b.inFlight()).isEqualTo(2);
        } finally {
            a.releaseHeld();
            b.releaseHeld();
        }
        for (RawHttp c : holding) {
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).endsWith(" held");
            c.close();
        }
    }

    @Test
    void hashKeepsEachHostOnOneServerAndSpreadsHostsOverAllServers() throws Exception {
        TestBackend[] servers = {backend("s0"), backend("s1"), backend("s2")};
        StringBuilder pod = new StringBuilder("balance: hash\nservers:\n");
        for (TestBackend s : servers) {
            pod.append("  - address: ").append(s.address()).append('\n');
        }
        RouterFixture fixture = new RouterFixture(dir).podYaml("pool", pod.toString());
        int hosts = 60;
        for (int i = 0; i < hosts; i++) {
            fixture.route("tenant" + i + ".example.com", "pool");
        }
        router = fixture.start();

        Map<String, Set<String>> serversOfHost = new TreeMap<>();
        // Five rounds over every host, each round on its own connection, hosts interleaved:
        // where a host goes depends on nothing but the host.
        for (int round = 0; round < 5; round++) {
            try (RawHttp http = new RawHttp(router.port())) {
                for (int i = 0; i < hosts; i++) {
                    // The routing key is normalised: case and port do not move a tenant.
                    String host = round % 2 == 0 ? "tenant" + i + ".example.com" : "Tenant" + i + ".Example.com:8080";
                    RawHttp.Response r = http.send(Requests.get("/", host)).read();
                    assertThat(r.status()).isEqualTo(200);
                    String server = r.body().substring(0, r.body().indexOf(' '));
                    serversOfHost.computeIfAbsent("tenant" + i, k -> new HashSet<>()).add(server);
                }
            }
        }
        assertThat(serversOfHost).allSatisfy((host, used) -> assertThat(used).as(host).hasSize(1));
        Map<String, Integer> hostsPerServer = new HashMap<>();
        serversOfHost.values().forEach(used -> hostsPerServer.merge(used.iterator().next(), 1, Integer::sum));
        assertThat(hostsPerServer).as("hosts per server").containsOnlyKeys("s0", "s1", "s2");
        for (TestBackend s : servers) {
            assertThat(s.requests("/")).isEqualTo(5 * hostsPerServer.get(s.name()));
        }
    }

    @Test
    void weightedRoundRobinWithWeightsThreeAndOneSplitsThreeToOne() throws Exception {
        TestBackend heavy = backend("heavy");
        TestBackend light = backend("light");
        router = new RouterFixture(dir)
                .podYaml("pool", "balance: roundrobin\nservers:\n"
                        + "  - { address: " + heavy.address() + ", weight: 3 }\n"
                        + "  - { address: " + light.address() + ", weight: 1 }\n")
                .route("t.example.com", "pool")
                .start();

        List<String> order = new ArrayList<>();
        try (RawHttp http = new RawHttp(router.port())) {
            for (int i = 0; i < 200; i++) {
                RawHttp.Response r = http.send(Requests.get("/", "t.example.com")).read();
                assertThat(r.status()).isEqualTo(200);
                order.add(r.body().substring(0, r.body().indexOf(' ')));
            }
        }
        assertThat(heavy.requests("/")).isEqualTo(150);
        assertThat(light.requests("/")).isEqualTo(50);
        // Smooth: every window of four requests has three for heavy and one for light.
        for (int i = 0; i + 4 <= order.size(); i += 4) {
            assertThat(order.subList(i, i + 4)).as("requests %d to %d", i, i + 3)
                    .containsExactlyInAnyOrder("heavy", "heavy", "heavy", "light");
        }
    }
}
