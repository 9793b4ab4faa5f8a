package io.podrouter.fleet;

import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.podrouter.config.InvalidationConfig;
import io.podrouter.config.Sizes;
import io.podrouter.directory.RouteCache;
import io.prometheus.metrics.core.metrics.Histogram;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Redis stream of tenant moves and applies every entry to this router's cache: one
 * connection, {@code XREAD BLOCK} after the last entry applied, from the stream's end at the first
 * connect. Nothing on the request path waits for it.
 *
 * <p>When Redis cannot be read (down, restarting, slow, the connection reset) the router keeps
 * serving from its cache, with answers fresh for at most {@code ttl-while-disconnected}; this logs
 * once, reconnects with backoff and replays from the last applied entry. When the stream no longer
 * holds what followed that entry (trimmed, deleted or recreated), every cached answer is made due
 * for refresh, since the moves missed cannot be known.
 *
 * <p>Everything here runs on one thread of its own; Lettuce's I/O thread only hands results over.
 */
public final class RouteChangeStream implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RouteChangeStream.class);
    private static final Duration BLOCK = Duration.ofSeconds(1);
    private static final int BATCH = 1000;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final InvalidationConfig config;
    private final Supplier<RouteCache<?>> cache;
    private final RouteChangeApplier applier;
    private final RedisEndpoint redis;
    private final ScheduledExecutorService thread;
    private StatefulRedisConnection<String, String> connection;
    private volatile StreamId lastId;
    private volatile boolean connected;
    private volatile long disconnectedSinceMillis;
    private volatile long gaps;
    private Duration backoff = FIRST_BACKOFF;
    private boolean lossLogged;
    /** True while answers are held to ttl-while-disconnected. */
    private boolean freshnessLimited;
    /** Set by {@link #replayAfter}: the next read starts after this entry instead of the last applied. */
    private StreamId rewindTo;
    private final java.util.concurrent.CountDownLatch caughtUp = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closed;

    /**
     * @param cache the current cache of directory answers (a reload may bring another)
     * @param after the ID of the last entry applied before (from a snapshot), or null to start at the stream's end
     * @throws IllegalArgumentException when {@code after} is no stream ID
     */
    public RouteChangeStream(InvalidationConfig config, Supplier<RouteCache<?>> cache, String after) {
        this.config = config;
        this.cache = cache;
        this.applier = new RouteChangeApplier(cache);
        this.lastId = after == null ? null : StreamId.parse(after);
        this.redis = new RedisEndpoint(config.redis(), config.redisForDisplay(), BLOCK.plusSeconds(3));
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "podrouter-invalidation");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts reading in the background. */
    public void start() {
        disconnectedSinceMillis = System.currentTimeMillis();
        thread.execute(this::connect);
    }

    /**
     * Waits until the stream has been read up to its end once (what was missed since the last
     * entry applied is replayed), or {@code max} passes.
     *
     * @return true when caught up
     */
    public boolean awaitCaughtUp(Duration max) throws InterruptedException {
        return caughtUp.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Reads again the entries after {@code id} (an ID {@link #lastId} gave earlier), applying them
     * once more: for answers loaded from elsewhere since (a peer) that those entries may have moved.
     */
    public void replayAfter(String id) {
        StreamId from = StreamId.parse(id);
        thread.execute(() -> rewindTo = from);
    }

    private void connect() {
        if (closed) {
            return;
        }
        redis.client().connectAsync(StringCodec.UTF8, redis.uri()).whenCompleteAsync((c, error) -> {
            if (error != null) {
                lost("cannot connect", error);
            } else if (closed) {
                c.closeAsync();
            } else {
                connection = c;
                findPosition();
            }
        }, thread);
    }

    /** Checks that the stream still holds what follows the last entry applied, then reads on. */
    private void findPosition() {
        connection.async().xinfoStream(config.stream()).whenCompleteAsync((info, error) -> {
            if (error == null) {
                checkHeld(StreamInfo.of(info));
            } else if (isNoSuchKey(error)) {
                resumeFrom(StreamInfo.MISSING, false);
            } else {
                lost("cannot read the stream's state", error);
            }
        }, thread);
    }

    private void checkHeld(StreamInfo stream) {
        StreamId last = lastId;
        if (last == null || !stream.needsToKnowIfHeld(last)) {
            resumeFrom(stream, true);
            return;
        }
        connection.async().xrange(config.stream(), Range.create(last.toString(), last.toString()))
                .whenCompleteAsync((entries, error) -> {
                    if (error != null) {
                        lost("cannot read the stream", error);
                    } else {
                        resumeFrom(stream, !entries.isEmpty());
                    }
                }, thread);
    }

    private void resumeFrom(StreamInfo stream, boolean lastHeld) {
        StreamId last = lastId;
        if (last == null) {
            lastId = stream.lastGenerated();
        } else if (stream.lostEntriesAfter(last, lastHeld)) {
            gaps++;
            log.warn("the stream {} no longer holds all the entries after {} (trimmed, deleted or recreated): "
                    + "every cached answer is due for refresh (still served; looked up again on its next hit)",
                    config.stream(), last);
            RouteCache<?> routes = cache.get();
            if (routes != null) {
                routes.refreshAll();
            }
            if (stream.lastGenerated().compareTo(last) < 0) {
                lastId = stream.lastGenerated(); // a new stream: its IDs start over
            }
        }
        backoff = FIRST_BACKOFF;
        connected = true;
        if (freshnessLimited) {
            freshnessLimited = false;
            limitFreshness(null);
        }
        if (!stream.lastGenerated().isAfter(lastId)) {
            caughtUp.countDown(); // nothing to replay
        }
        if (lossLogged) {
            log.info("reading tenant moves again from {} on {} after {}s without; replaying after entry {}",
                    config.stream(), redis, (System.currentTimeMillis() - disconnectedSinceMillis) / 1000, lastId);
            lossLogged = false;
        } else {
            log.info("reading tenant moves from stream {} on {}, after entry {}", config.stream(), redis, lastId);
        }
        read();
    }

    private void read() {
        if (closed) {
            return;
        }
        connection.async().xread(XReadArgs.Builder.block(BLOCK).count(BATCH),
                XReadArgs.StreamOffset.from(config.stream(), lastId.toString())).whenCompleteAsync((messages, error) -> {
                    if (error != null) {
                        lost("reading failed", error);
                        return;
                    }
                    apply(messages);
                    if (messages == null || messages.size() < BATCH) {
                        caughtUp.countDown();
                    }
                    if (rewindTo != null) {
                        if (rewindTo.compareTo(lastId) < 0) {
                            lastId = rewindTo;
                        }
                        rewindTo = null;
                    }
                    read();
                }, thread);
    }

    private void apply(List<StreamMessage<String, String>> messages) {
        if (messages == null) {
            return;
        }
        long now = System.currentTimeMillis();
        for (StreamMessage<String, String> m : messages) {
            StreamId id = StreamId.parse(m.getId());
            applier.apply(id, m.getBody(), now);
            lastId = id;
        }
    }

    /** The connection is gone or unusable: serve on, once logged, and try again after a backoff. */
    private void lost(String what, Throwable error) {
        if (closed) {
            return;
        }
        if (connection != null) {
            connection.closeAsync();
            connection = null;
        }
        String reason = reason(error);
        if (!lossLogged) {
            lossLogged = true;
            if (connected) {
                disconnectedSinceMillis = System.currentTimeMillis();
            }
            log.warn("tenant moves: {} on Redis {} ({}); serving from the cache, cached answers fresh for at most {} "
                    + "until the stream is read again; retrying with backoff", what, redis, reason,
                    Sizes.formatDuration(config.ttlWhileDisconnected()));
        } else {
            log.debug("tenant moves: {} on Redis {} ({}); next try in {}", what, redis, reason, backoff);
        }
        connected = false;
        if (!freshnessLimited) {
            freshnessLimited = true;
            limitFreshness(config.ttlWhileDisconnected());
        }
        thread.schedule(this::connect, backoff.toMillis(), TimeUnit.MILLISECONDS);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private void limitFreshness(Duration max) {
        RouteCache<?> routes = cache.get();
        if (routes != null) {
            routes.limitFreshness(max);
        }
    }

    private static boolean isNoSuchKey(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e instanceof RedisCommandExecutionException && String.valueOf(e.getMessage()).contains("no such key");
    }

    private static String reason(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        while (e.getCause() != null && e.getMessage() != null && e.getMessage().equals(e.getCause().toString())) {
            e = e.getCause();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** What {@code GET /invalidation} and the stats page show. */
    public record State(String redis, String stream, boolean connected, String lastId, long lagMillis,
                        long disconnectedForMillis, long applied, long ignored, long skipped, long gaps) {
    }

    public State state() {
        StreamId last = lastId;
        boolean up = connected;
        return new State(redis.toString(), config.stream(), up, last == null ? null : last.toString(),
                applier.lastLagMillis(), up ? 0 : System.currentTimeMillis() - disconnectedSinceMillis,
                applier.applied(), applier.ignored(), applier.skipped(), gaps);
    }

    public boolean connected() {
        return connected;
    }

    /** Entries applied, ignored (nothing held) and skipped (malformed), for the metrics. */
    public long applied() {
        return applier.applied();
    }

    public long ignored() {
        return applier.ignored();
    }

    public long skipped() {
        return applier.skipped();
    }

    public Histogram lag() {
        return applier.lag();
    }

    /** The last entry applied (for a snapshot), or null before the first connect. */
    public String lastId() {
        StreamId last = lastId;
        return last == null ? null : last.toString();
    }

    @Override
    public void close() {
        closed = true;
        thread.execute(() -> {
            if (connection != null) {
                connection.closeAsync();
                connection = null;
            }
        });
        thread.shutdown();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redis.close();
    }
}
