package io.podrouter.fleet;

import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.podrouter.http.LogText;
import io.podrouter.routing.RoutingKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes tenant moves to the Redis stream in the documented format, as a tenant directory does
 * ({@code XADD <stream> MAXLEN ~ 1000000 * key <key> backend <pod>}). Used by the reference
 * directory; any other writer may use {@code redis-cli} or its own client.
 *
 * <p>Writes are asynchronous; a failed one is logged (once per outage) and the connection is made
 * again for the next.
 */
public final class RouteChangePublisher implements AutoCloseable {
    /** The bound the stream is trimmed to (approximately, which is cheap for Redis). */
    public static final long MAX_LENGTH = 1_000_000;
    private static final Logger log = LoggerFactory.getLogger(RouteChangePublisher.class);

    private final RedisEndpoint redis;
    private final String stream;
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;

    public RouteChangePublisher(String redisUri, String display, String stream) {
        this.redis = new RedisEndpoint(redisUri, display, Duration.ofSeconds(2));
        this.stream = stream;
    }

    /** Publishes that {@code key} now lives on {@code backend}, or is no tenant any more when it is null. */
    public CompletionStage<String> publish(String key, String backend) {
        String canonical = RoutingKey.normalize(key);
        if (canonical == null) {
            log.warn("not publishing a move of '{}': no valid routing key", LogText.clip(key));
            return CompletableFuture.completedFuture(null);
        }
        return write(canonical, backend);
    }

    private CompletionStage<String> write(String key, String backend) {
        Map<String, String> fields = backend == null ? Map.of("key", key) : Map.of("key", key, "backend", backend);
        return connection().thenCompose(c -> c.async()
                        .xadd(stream, new XAddArgs().maxlen(MAX_LENGTH).approximateTrimming(), fields))
                .whenComplete((id, error) -> {
                    if (error == null) {
                        if (failing.compareAndSet(true, false)) {
                            log.info("publishing tenant moves to {} on {} again", stream, redis);
                        }
                        log.debug("published {} -> {} as {}", key, backend, id);
                        return;
                    }
                    dropConnection();
                    if (failing.compareAndSet(false, true)) {
                        log.warn("cannot publish tenant moves to {} on {}: {} (routers keep their answers until "
                                + "they expire)", stream, redis, error.getMessage());
                    }
                });
    }

    private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
        if (c == null || (c.isDone() && (c.isCompletedExceptionally() || !c.join().isOpen()))) {
            c = redis.client().connectAsync(StringCodec.UTF8, redis.uri()).toCompletableFuture();
            connection = c;
        }
        return c;
    }

    private synchronized void dropConnection() {
        CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
        connection = null;
        if (c != null) {
            c.thenAccept(StatefulRedisConnection::closeAsync);
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
