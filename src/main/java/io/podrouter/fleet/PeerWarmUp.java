package io.podrouter.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podrouter.directory.RouteCache;
import io.podrouter.routing.RoutingKey;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a running peer's cached directory answers before this router listens, page by page
 * through the peer's admin API ({@code GET /maps?source=directory}), so that a new or restarted
 * router does not send every tenant to the directory at once. Bounded in time and entries; a peer
 * that fails is logged and the next one tried; when none works the router starts cold.
 */
public final class PeerWarmUp {
    private static final Logger log = LoggerFactory.getLogger(PeerWarmUp.class);
    private static final int PAGE = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeerWarmUp() {
    }

    /**
     * @param token the peers' admin token, or null
     * @return the answers loaded
     */
    public static int warm(RouteCache<?> cache, List<String> peers, String token, Duration timeout, int maxEntries) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpClient http = HttpClient.newBuilder().connectTimeout(shorter(timeout, Duration.ofSeconds(2))).build();
        for (String peer : peers) {
            long started = System.nanoTime();
            int[] loaded = {0, 0};
            try {
                copy(http, peer, token, cache, deadline, maxEntries, loaded);
                log.info("warmed up from {}: {} cached answers in {} ms{}", peer, loaded[0],
                        (System.nanoTime() - started) / 1_000_000,
                        loaded[1] == 0 ? "" : " (" + loaded[1] + " skipped: unknown pod or expired)");
                return loaded[0];
            } catch (IOException | RuntimeException e) {
                log.warn("cannot warm up from {} ({}; {} answers copied before that); {}", peer, e.getMessage(), loaded[0],
                        peers.indexOf(peer) < peers.size() - 1 ? "trying the next peer" : "starting with what there is");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return loaded[0];
            }
        }
        return 0;
    }

    private static void copy(HttpClient http, String peer, String token, RouteCache<?> cache, long deadline, int maxEntries,
                             int[] loaded) throws IOException, InterruptedException {
        String after = null;
        do {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("out of time");
            }
            String uri = peer + "/maps?source=directory&limit=" + PAGE
                    + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofNanos(left)).GET();
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("GET /maps answered " + response.statusCode());
            }
            JsonNode page = JSON.readTree(response.body());
            for (JsonNode e : page.path("entries")) {
                if (loaded[0] >= maxEntries) {
                    return;
                }
                String key = e.path("key").asText(null);
                String backend = e.path("backend").asText(null);
                if (key == null || backend == null || !"directory".equals(e.path("source").asText())
                        || !key.equals(RoutingKey.normalize(key))) {
                    continue;
                }
                boolean ok = cache.load(new RouteCache.Saved(key, backend, e.path("expires_in_ms").asLong()));
                loaded[ok ? 0 : 1]++;
            }
            after = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (after != null);
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }
}
