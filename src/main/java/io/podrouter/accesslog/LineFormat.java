package io.podrouter.accesslog;

import io.podrouter.routing.RoutingKey;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** The two formats of an access-log line, each written into a {@link LogLine}. */
enum LineFormat {
    /** Combined log format, then key, backend, server, route and the times in milliseconds. */
    TEXT(LineClock::text) {
        @Override
        void write(LogLine s, AccessRecord r, LineClock clock) {
            s.text(r.client()).bytes(DASHES);
            clock.append(s, r.epochMillis());
            s.ascii(']').ascii(' ').ascii('"').cleaned(r.method()).ascii(' ').cleaned(r.uri()).ascii(' ')
                    .text(r.protocol()).ascii('"').ascii(' ').number(r.status()).ascii(' ').number(r.bytes());
            s.bytes(KEY);
            if (r.key() == null) {
                s.ascii('-');
            } else {
                String key = RoutingKey.normalize(r.key());
                if (key != null) {
                    s.text(key);
                } else {
                    s.cleaned(r.key());
                }
            }
            s.bytes(BACKEND).textOrDash(r.backend()).bytes(SERVER).textOrDash(r.server()).bytes(ROUTE).text(r.route());
            ms(s.bytes(LOOKUP_MS), r.lookupMicros());
            ms(s.bytes(QUEUE_MS), r.queueMicros());
            ms(s.bytes(CONNECT_MS), r.connectMicros());
            ms(s.bytes(RESPONSE_MS), r.responseMicros());
            ms(s.bytes(TOTAL_MS), r.totalMicros());
            s.bytes(REQUEST_ID).textOrDash(r.requestId());
        }
    },
    /** One JSON object per line. */
    JSON(LineClock::iso) {
        @Override
        void write(LogLine s, AccessRecord r, LineClock clock) {
            s.text("{\"time\":\"");
            clock.append(s, r.epochMillis());
            s.ascii('"');
            field(s, "client", r.client());
            field(s, "method", r.method());
            field(s, "uri", r.uri());
            field(s, "protocol", r.protocol());
            String key = r.key() == null ? null : RoutingKey.normalize(r.key());
            // An invalid key is logged cleaned, as in the text format (the rare path: it allocates).
            field(s, "key", key != null || r.key() == null ? key : new LogLine().cleaned(r.key()).toString());
            field(s, "backend", r.backend());
            field(s, "server", r.server());
            s.text(",\"status\":").number(r.status()).text(",\"bytes\":").number(r.bytes());
            field(s, "route", r.route());
            ms(s.text(",\"lookup_ms\":"), r.lookupMicros());
            ms(s.text(",\"queue_ms\":"), r.queueMicros());
            ms(s.text(",\"connect_ms\":"), r.connectMicros());
            ms(s.text(",\"response_ms\":"), r.responseMicros());
            ms(s.text(",\"total_ms\":"), r.totalMicros());
            field(s, "request_id", r.requestId());
            s.ascii('}');
        }
    };

    private static final byte[] DASHES = ascii(" - - [");
    private static final byte[] KEY = ascii(" key=");
    private static final byte[] BACKEND = ascii(" backend=");
    private static final byte[] SERVER = ascii(" server=");
    private static final byte[] ROUTE = ascii(" route=");
    private static final byte[] LOOKUP_MS = ascii(" lookup_ms=");
    private static final byte[] QUEUE_MS = ascii(" queue_ms=");
    private static final byte[] CONNECT_MS = ascii(" connect_ms=");
    private static final byte[] RESPONSE_MS = ascii(" response_ms=");
    private static final byte[] TOTAL_MS = ascii(" total_ms=");
    private static final byte[] REQUEST_ID = ascii(" request_id=");

    private final Supplier<LineClock> clocks;

    LineFormat(Supplier<LineClock> clocks) {
        this.clocks = clocks;
    }

    /** A clock that writes this format's time. */
    LineClock newClock() {
        return clocks.get();
    }

    /** Writes the record's line, without its newline; {@code clock} is one of {@link #newClock()}'s. */
    abstract void write(LogLine line, AccessRecord record, LineClock clock);

    private static void field(LogLine s, String name, String value) {
        s.ascii(',').ascii('"').text(name).ascii('"').ascii(':').jsonString(value);
    }

    /** Microseconds as milliseconds with one decimal (-1: not measured). */
    private static void ms(LogLine s, long micros) {
        if (micros < 0) {
            s.ascii('-').ascii('1');
            return;
        }
        s.number(micros / 1000).ascii('.').number((micros % 1000) / 100);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
