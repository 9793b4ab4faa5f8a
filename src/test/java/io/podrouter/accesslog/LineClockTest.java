package io.podrouter.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The text format's time, formatted once per second, is what a per-line DateTimeFormatter wrote. */
class LineClockTest {
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Test
    void writesWhatTheFormatterWrote() {
        LineClock clock = new LineClock();
        long base = Instant.parse("2026-12-31T23:59:58Z").toEpochMilli();
        for (long t : new long[] {base, base + 7, base + 42, base + 999, base + 1000, base + 1001, base + 2000,
                base + 2345, 0, 5, 999, -1}) {
            LogLine s = new LogLine();
            clock.append(s, t);
            assertThat(s.toString()).as("at %d", t).isEqualTo(FULL.format(Instant.ofEpochMilli(t)));
        }
    }
}
