package io.podrouter;

import io.podrouter.config.PodrouterConfig;
import io.podrouter.config.WarmStartConfig;
import io.podrouter.directory.RouteCache;
import io.podrouter.fleet.CacheSnapshot;
import io.podrouter.fleet.PeerWarmUp;
import io.podrouter.fleet.RouteChangeStream;
import io.podrouter.fleet.SnapshotSchedule;
import io.podrouter.routing.Route;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a router shares with the others of its fleet, set up before it listens: answers from its
 * last snapshot, the stream of tenant moves (replayed from where the snapshot left off), answers
 * copied from a running peer; then the snapshot written while it runs and when it stops.
 */
final class Fleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fleet.class);
    /** How long start-up waits for the stream to be replayed before listening anyway (and catching up after). */
    static final Duration REPLAY_BOUND = Duration.ofSeconds(2);

    private final RouteChangeStream stream;
    private final SnapshotSchedule snapshots;

    private Fleet(RouteChangeStream stream, SnapshotSchedule snapshots) {
        this.stream = stream;
        this.snapshots = snapshots;
    }

    /**
     * @param cache the current cache of directory answers (a reload may replace it), null when there is no directory
     * @param warmToken the token of the peers' admin API, or null
     */
    static Fleet start(PodrouterConfig config, Supplier<RouteCache<Route>> cache, String warmToken)
            throws InterruptedException {
        RouteCache<Route> routes = cache.get();
        if (routes == null) {
            return new Fleet(null, null);
        }
        WarmStartConfig warm = config.routing().warmStart();
        String lastStreamId = warm.snapshot() == null ? null : loadSnapshot(warm, routes);
        RouteChangeStream stream = null;
        if (config.routing().invalidation() != null) {
            stream = new RouteChangeStream(config.routing().invalidation(), cache::get, lastStreamId);
            stream.start();
            long started = System.nanoTime();
            if (stream.awaitCaughtUp(REPLAY_BOUND)) {
                if (lastStreamId != null) {
                    log.info("replayed the stream of tenant moves after {} in {} ms", lastStreamId,
                            (System.nanoTime() - started) / 1_000_000);
                }
            } else {
                log.warn("the stream of tenant moves was not read within {} ms; listening now and catching up after",
                        REPLAY_BOUND.toMillis());
            }
        }
        if (!warm.warmFrom().isEmpty()) {
            String before = stream == null ? null : stream.lastId();
            PeerWarmUp.warm(routes, warm.warmFrom(), warmToken, warm.warmTimeout(), config.routing().cache().maxEntries());
            if (before != null) {
                stream.replayAfter(before); // moves read while copying may concern what was just copied
            }
        }
        SnapshotSchedule snapshots = null;
        if (warm.snapshot() != null) {
            RouteChangeStream s = stream;
            snapshots = new SnapshotSchedule(warm.snapshot(), warm.snapshotInterval(), () -> {
                RouteCache<Route> c = cache.get();
                return c == null ? List.of() : c.saved(route -> ((Route.To) route).pod().name());
            }, () -> s == null ? null : s.lastId());
        }
        return new Fleet(stream, snapshots);
    }

    /** Loads the snapshot's answers; returns the last stream entry applied before it was written, or null. */
    private static String loadSnapshot(WarmStartConfig warm, RouteCache<Route> routes) {
        long started = System.nanoTime();
        CacheSnapshot.Contents contents;
        try {
            contents = CacheSnapshot.read(warm.snapshot(), System.currentTimeMillis());
        } catch (IOException | RuntimeException e) {
            log.warn("cache snapshot {} not used, starting without it: {}", warm.snapshot(), e.getMessage());
            return null;
        }
        if (contents == null) {
            log.info("no cache snapshot at {} yet: starting cold; one is written every {} and at stop", warm.snapshot(),
                    io.podrouter.config.Sizes.formatDuration(warm.snapshotInterval()));
            return null;
        }
        int loaded = 0;
        int fresh = 0;
        for (RouteCache.Saved saved : contents.answers()) {
            if (routes.load(saved)) {
                loaded++;
                if (saved.freshForMillis() > 0) {
                    fresh++;
                }
            }
        }
        int skipped = contents.answers().size() - loaded;
        log.info("cache snapshot {}: loaded {} answers ({} fresh, {} kept for stale-if-error){} in {} ms", warm.snapshot(),
                loaded, fresh, loaded - fresh, skipped == 0 ? "" : ", skipped " + skipped + " (pod no longer configured, or too old)",
                (System.nanoTime() - started) / 1_000_000);
        return contents.lastStreamId();
    }

    /** The reader of the stream of tenant moves, or null. */
    RouteChangeStream stream() {
        return stream;
    }

    /** Writes the last snapshot, then stops reading the stream. */
    @Override
    public void close() {
        if (snapshots != null) {
            snapshots.close();
        }
        if (stream != null) {
            stream.close();
        }
    }
}
