package io.podrouter.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Each format's time, formatted once per second, is what a per-line DateTimeFormatter writes. */
class LineClockTest {
    private static final long BASE = Instant.parse("2026-12-31T23:59:58Z").toEpochMilli();
    private static final long[] TIMES = {BASE, BASE + 7, BASE + 42, BASE + 999, BASE + 1000, BASE + 1001, BASE + 2000,
            BASE + 2345, 0, 5, 999, -1};

    private static void writesWhat(DateTimeFormatter formatter, LineClock clock) {
        for (long t : TIMES) {
            LogLine s = new LogLine();
            clock.append(s, t);
            assertThat(s.toString()).as("at %d", t).isEqualTo(formatter.format(Instant.ofEpochMilli(t)));
        }
    }

    @Test
    void theTextClockWritesTheCombinedLogFormatsTime() {
        writesWhat(DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS Z", Locale.ROOT).withZone(ZoneOffset.UTC),
                LineClock.text());
    }

    @Test
    void theIsoClockWritesIso8601WithMillisecondsEvenOnAWholeSecond() {
        writesWhat(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC),
                LineClock.iso());
    }
}
