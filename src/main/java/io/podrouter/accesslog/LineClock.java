package io.podrouter.accesslog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The time as the text format writes it, [dd/MMM/yyyy:HH:mm:ss.SSS +0000], with the part up to
 * the second formatted once per second: DateTimeFormatter per line was most of the writer
 * thread's time, and on a one-core machine that time is the event loop's.
 */
final class LineClock {
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final byte[] UTC = " +0000".getBytes(StandardCharsets.US_ASCII);

    private long second = Long.MIN_VALUE;
    private byte[] secondText;

    void append(LogLine line, long epochMillis) {
        long sec = Math.floorDiv(epochMillis, 1000);
        if (sec != second) {
            second = sec;
            secondText = SECOND.format(Instant.ofEpochSecond(sec)).getBytes(StandardCharsets.US_ASCII);
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        line.bytes(secondText).ascii('.');
        if (millis < 100) {
            line.ascii('0');
        }
        if (millis < 10) {
            line.ascii('0');
        }
        line.number(millis).bytes(UTC);
    }
}
