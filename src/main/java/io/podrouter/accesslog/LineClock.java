package io.podrouter.accesslog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A line's time in UTC to the millisecond, with the part up to the second formatted once per
 * second: DateTimeFormatter per line was most of the writer thread's time, and on a one-core
 * machine that time is the event loop's.
 */
final class LineClock {
    private final DateTimeFormatter second;
    private final byte[] zone;
    private long lastSecond = Long.MIN_VALUE;
    private byte[] secondText;

    private LineClock(String secondPattern, String zone) {
        this.second = DateTimeFormatter.ofPattern(secondPattern, Locale.ROOT).withZone(ZoneOffset.UTC);
        this.zone = zone.getBytes(StandardCharsets.US_ASCII);
    }

    /** The text format's: 04/Dec/2026:18:58:11.005 +0000. */
    static LineClock text() {
        return new LineClock("dd/MMM/yyyy:HH:mm:ss", " +0000");
    }

    /** ISO 8601, as the JSON format writes it: 2026-12-04T18:58:11.005Z. */
    static LineClock iso() {
        return new LineClock("uuuu-MM-dd'T'HH:mm:ss", "Z");
    }

    void append(LogLine line, long epochMillis) {
        long sec = Math.floorDiv(epochMillis, 1000);
        if (sec != lastSecond) {
            lastSecond = sec;
            secondText = second.format(Instant.ofEpochSecond(sec)).getBytes(StandardCharsets.US_ASCII);
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        line.bytes(secondText).ascii('.');
        if (millis < 100) {
            line.ascii('0');
        }
        if (millis < 10) {
            line.ascii('0');
        }
        line.number(millis).bytes(zone);
    }
}
