package io.podrouter.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podrouter.Podrouter;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's time series (/stats.json) and busiest tenants (/tenants/top) under a little real traffic. */
class StatsHistoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theLastSecondsAndTheBusiestTenantsAreServed(@TempDir Path dir) throws Exception {
        try (TestBackend pod0 = new TestBackend("pod0"); TestBackend pod1 = new TestBackend("pod1");
             Podrouter router = new RouterFixture(dir).pod("pod0", pod0).pod("pod1", pod1)
                     .route("noisy.example.com", "pod1").route("quiet.example.com", "pod0")
                     .yaml("admin: { bind: 127.0.0.1:0 }\n").start()) {
            try (RawHttp client = new RawHttp(router.port())) {
                for (int i = 0; i < 30; i++) {
                    assertThat(client.send("GET / HTTP/1.1\r\nHost: noisy.example.com\r\n\r\n").read().status()).isEqualTo(200);
                }
                for (int i = 0; i < 10; i++) {
                    assertThat(client.send("GET / HTTP/1.1\r\nHost: quiet.example.com\r\n\r\n").read().status()).isEqualTo(200);
                }
                assertThat(client.send("GET / HTTP/1.1\r\nHost: nobody.example.com\r\n\r\n").read().status()).isEqualTo(404);
            }
            String base = "http://127.0.0.1:" + router.adminAddress().getPort();
            JsonNode[] top = new JsonNode[1];
            Poll.until(Duration.ofSeconds(10), "both tenants in /tenants/top", () -> {
                top[0] = get(base + "/tenants/top");
                return top[0].path("tenants").size() == 2 && top[0].path("requests").asLong() == 40;
            });
            JsonNode noisy = top[0].path("tenants").get(0);
            assertThat(noisy.path("key").asText()).isEqualTo("noisy.example.com");
            assertThat(noisy.path("pod").asText()).isEqualTo("pod1");
            assertThat(noisy.path("requests").asLong()).isEqualTo(30);
            assertThat(noisy.path("share").asDouble()).isEqualTo(0.75);
            assertThat(top[0].path("tenants").get(1).path("key").asText()).isEqualTo("quiet.example.com");

            JsonNode stats = get(base + "/stats.json");
            JsonNode history = stats.path("history");
            int seconds = history.path("time_ms").size();
            assertThat(seconds).isBetween(1, StatsHistory.SECONDS);
            assertThat(sum(history.path("requests_per_s").path("2xx"))).isEqualTo(40);
            assertThat(sum(history.path("requests_per_s").path("4xx"))).isEqualTo(1);
            assertThat(history.path("latency_ms").path("p99")).anySatisfy(v -> assertThat(v.asDouble()).isPositive());
            assertThat(history.path("connections").path("client").size()).isEqualTo(seconds);
            assertThat(history.path("directory_per_s").path("lookups").size()).isEqualTo(seconds);
            assertThat(stats.path("top_tenants").path("tenants").get(0).path("key").asText()).isEqualTo("noisy.example.com");
        }
    }

    private static long sum(JsonNode series) {
        long n = 0;
        for (JsonNode v : series) {
            n += v.asLong();
        }
        return n;
    }

    private JsonNode get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
