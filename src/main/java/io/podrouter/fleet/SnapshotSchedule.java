package io.podrouter.fleet;

import io.podrouter.directory.RouteCache;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the cache snapshot every interval on a thread of its own (never an event loop), and once
 * more when closed (the router stopping). A failed write is logged once until one succeeds again.
 */
public final class SnapshotSchedule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnapshotSchedule.class);

    private final Path file;
    private final Supplier<List<RouteCache.Saved>> answers;
    private final Supplier<String> lastStreamId;
    private final ScheduledExecutorService thread;
    private boolean failing;

    /**
     * @param answers the answers to save, read at each write
     * @param lastStreamId the last stream entry applied, or null; read before the answers, so that
     *                     replaying after it can only apply again what the answers already hold
     */
    public SnapshotSchedule(Path file, Duration interval, Supplier<List<RouteCache.Saved>> answers,
                            Supplier<String> lastStreamId) {
        this.file = file;
        this.answers = answers;
        this.lastStreamId = lastStreamId;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "podrouter-snapshot");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::write, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void write() {
        long started = System.nanoTime();
        try {
            String id = lastStreamId.get();
            List<RouteCache.Saved> saved = answers.get();
            CacheSnapshot.write(file, id, saved, System.currentTimeMillis());
            if (failing) {
                log.info("cache snapshot written to {} again", file);
                failing = false;
            }
            log.debug("cache snapshot: {} answers written to {} in {} ms", saved.size(), file,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                log.warn("cannot write the cache snapshot {}: {}", file, e.toString());
                failing = true;
            }
        }
    }

    /** Writes one last snapshot, then stops. */
    @Override
    public void close() {
        thread.shutdownNow();
        write();
        if (!failing) {
            log.info("cache snapshot written to {}", file);
        }
    }
}
