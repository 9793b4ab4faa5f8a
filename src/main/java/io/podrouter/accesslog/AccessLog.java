package io.podrouter.accesslog;

import io.netty.util.internal.PlatformDependent;
import io.podrouter.config.AccessLogConfig;
import io.podrouter.routing.RoutingKey;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log. Event loops only hand a record to a bounded lock-free queue; one writer thread
 * formats and writes lines in batches. When the queue is full a line is dropped and counted
 * rather than making a request wait.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss", java.util.Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Queue<AccessRecord> queue;
    private final boolean json;
    private final Writer out;
    private final Thread writer;
    private final LongAdder dropped = new LongAdder();
    private volatile boolean closing;

    public AccessLog(AccessLogConfig config) throws IOException {
        this.queue = PlatformDependent.newMpscQueue(config.bufferedLines());
        this.json = config.json();
        this.out = new BufferedWriter(new OutputStreamWriter(config.path() == null
                ? new FileOutputStream(java.io.FileDescriptor.out)
                : new FileOutputStream(config.path().toFile(), true), StandardCharsets.UTF_8), 64 * 1024);
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
        StringBuilder line = new StringBuilder(256);
        LineClock clock = new LineClock();
        long reportedDrops = 0;
        while (true) {
            AccessRecord r = queue.poll();
            if (r == null) {
                try {
                    out.flush();
                } catch (IOException e) {
                    log.warn("cannot write the access log: {}", e.toString());
                }
                long drops = dropped.sum();
                if (drops != reportedDrops) {
                    log.warn("access log: {} lines dropped because the writer could not keep up", drops - reportedDrops);
                    reportedDrops = drops;
                }
                if (closing) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                continue;
            }
            line.setLength(0);
            if (json) {
                json(line, r);
            } else {
                text(line, r, clock);
            }
            try {
                out.append(line).append('\n');
            } catch (IOException e) {
                log.warn("cannot write the access log: {}", e.toString());
            }
        }
    }

    /**
     * The time as the text format writes it, [dd/MMM/yyyy:HH:mm:ss.SSS +0000], with the part up to
     * the second formatted once per second: DateTimeFormatter per line was most of the writer
     * thread's time, and on a one-core machine that time is the event loop's.
     */
    static final class LineClock {
        private long second = Long.MIN_VALUE;
        private String secondText;

        void append(StringBuilder s, long epochMillis) {
            long sec = Math.floorDiv(epochMillis, 1000);
            if (sec != second) {
                second = sec;
                secondText = SECOND.format(Instant.ofEpochSecond(sec));
            }
            int millis = (int) Math.floorMod(epochMillis, 1000);
            s.append(secondText).append('.');
            if (millis < 100) {
                s.append('0');
            }
            if (millis < 10) {
                s.append('0');
            }
            s.append(millis).append(" +0000");
        }
    }

    /** Combined log format, then key, backend, server, route and the times in milliseconds. */
    static void text(StringBuilder s, AccessRecord r, LineClock clock) {
        s.append(r.client()).append(" - - [");
        clock.append(s, r.epochMillis());
        s.append("] \"").append(clean(r.method())).append(' ').append(clean(r.uri())).append(' ').append(r.protocol()).append("\" ")
                .append(r.status()).append(' ').append(r.bytes())
                .append(" key=").append(dash(key(r.key()))).append(" backend=").append(dash(r.backend()))
                .append(" server=").append(dash(r.server())).append(" route=").append(r.route());
        ms(s.append(" lookup_ms="), r.lookupMicros());
        ms(s.append(" queue_ms="), r.queueMicros());
        ms(s.append(" connect_ms="), r.connectMicros());
        ms(s.append(" response_ms="), r.responseMicros());
        ms(s.append(" total_ms="), r.totalMicros());
        s.append(" request_id=").append(dash(r.requestId()));
    }

    static void json(StringBuilder s, AccessRecord r) {
        s.append("{\"time\":\"").append(Instant.ofEpochMilli(r.epochMillis())).append('"');
        field(s, "client", r.client());
        field(s, "method", r.method());
        field(s, "uri", r.uri());
        field(s, "protocol", r.protocol());
        field(s, "key", key(r.key()));
        field(s, "backend", r.backend());
        field(s, "server", r.server());
        s.append(",\"status\":").append(r.status()).append(",\"bytes\":").append(r.bytes());
        field(s, "route", r.route());
        ms(s.append(",\"lookup_ms\":"), r.lookupMicros());
        ms(s.append(",\"queue_ms\":"), r.queueMicros());
        ms(s.append(",\"connect_ms\":"), r.connectMicros());
        ms(s.append(",\"response_ms\":"), r.responseMicros());
        ms(s.append(",\"total_ms\":"), r.totalMicros());
        field(s, "request_id", r.requestId());
        s.append('}');
    }

    private static void field(StringBuilder s, String name, String value) {
        s.append(",\"").append(name).append("\":");
        if (value == null) {
            s.append("null");
            return;
        }
        s.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        s.append('"');
    }

    /** Microseconds as milliseconds with one decimal (-1: not measured), without a String per field. */
    private static void ms(StringBuilder s, long micros) {
        if (micros < 0) {
            s.append("-1");
            return;
        }
        s.append(micros / 1000).append('.').append((micros % 1000) / 100);
    }

    /** A routing key as it came: canonical when valid, else as sent (cleaned). */
    private static String key(String raw) {
        if (raw == null) {
            return null;
        }
        String key = RoutingKey.normalize(raw);
        return key != null ? key : clean(raw);
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }

    /** Request text from a client, safe for a line-based log (no spaces to split on, no control characters). */
    private static String clean(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '"') {
                if (b == null) {
                    b = new StringBuilder(s.substring(0, i));
                }
                b.append(String.format("%%%02X", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    @Override
    public void close() {
        closing = true;
        try {
            writer.join(2000);
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("cannot flush the access log: {}", e.toString());
        }
    }
}
