package io.podrouter.accesslog;

import io.netty.util.internal.PlatformDependent;
import io.podrouter.config.AccessLogConfig;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log. Event loops only hand a record to a bounded lock-free queue; one writer thread
 * formats the lines and writes them in chunks (see {@link LogOutput}), and what is left in a
 * chunk goes out once the oldest of it has waited {@code flush-interval}. When the queue is full
 * a line is dropped and counted rather than making a request wait.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    /**
     * How long the writer sleeps once the queue is empty. Shorter costs context switches on the
     * cores the event loops need; a core serving 65,000 requests a second queues some 650 lines
     * in 10 ms, and the queue holds 65,536 by default.
     */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** At most one warning in this long about lines that could not be formatted. */
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Queue<AccessRecord> queue;
    private final LineFormat format;
    private final long flushNanos;
    private final LogOutput out;
    private final Thread writer;
    private final LongAdder dropped = new LongAdder();
    private volatile boolean closing;

    public AccessLog(AccessLogConfig config) throws IOException {
        this.queue = PlatformDependent.newMpscQueue(config.bufferedLines());
        this.format = config.json() ? LineFormat.JSON : LineFormat.TEXT;
        this.flushNanos = config.flushInterval().toNanos();
        this.out = LogOutput.open(config.path());
        this.writer = new Thread(this::drain, "podrouter-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Queues a line; never blocks. */
    public void add(AccessRecord record) {
        if (!queue.offer(record)) {
            dropped.increment();
        }
    }

    public long dropped() {
        return dropped.sum();
    }

    private void drain() {
        LogLine line = new LogLine();
        LineClock clock = format.newClock();
        long reportedDrops = 0;
        long unformatted = 0;
        long unformattedReportedAt = 0;
        while (true) {
            AccessRecord r = queue.poll();
            if (r != null) {
                line.clear();
                try {
                    format.write(line, r, clock);
                } catch (RuntimeException e) {
                    // A bug in a format must not end the writer: the lines after it still go out.
                    unformatted++;
                    long now = System.nanoTime();
                    if (unformattedReportedAt == 0 || now - unformattedReportedAt > REPORT_NANOS) {
                        log.warn("access log: {} lines skipped since the last report, their formatting failed; the last: {} {}",
                                unformatted, r.method(), r.uri(), e);
                        unformatted = 0;
                        unformattedReportedAt = now;
                    }
                    continue;
                }
                out.add(line.ascii('\n'));
                continue;
            }
            if (closing || out.unwrittenFor(System.nanoTime()) >= flushNanos) {
                out.flush();
            }
            long drops = dropped.sum();
            if (drops != reportedDrops) {
                log.warn("access log: {} lines dropped because the writer could not keep up", drops - reportedDrops);
                reportedDrops = drops;
            }
            if (closing) {
                out.close();
                return;
            }
            LockSupport.parkNanos(IDLE_PARK_NANOS);
        }
    }

    /** Writes what is queued and closes the file; waits for it up to 2 s. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(2000);
            if (writer.isAlive()) {
                log.warn("access log: its writer did not finish within 2 s; the last lines may be lost");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
