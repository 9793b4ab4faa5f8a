package io.podrouter.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Each format's line, byte for byte: what a request's fields become, escaped and encoded. */
class LineFormatTest {
    private static final AccessRecord PROXIED = new AccessRecord(Instant.parse("2026-12-04T18:58:11.005Z").toEpochMilli(),
            "127.0.0.1", "GET", "/orders?id=7", "HTTP/1.1", "H23.Example.COM:8080", "pod2", "127.0.0.1:19103", 200, 9,
            "miss", 15_234, 87, 1_000, 400, 17_250, "3df54f61bb36618cbb5a4231f58a9a51");
    /** Refused, with request text that would break a line-based log: space, quote, control characters, non-ASCII. */
    private static final AccessRecord HOSTILE = new AccessRecord(Instant.parse("2026-12-04T18:58:11.864Z").toEpochMilli(),
            "::1", "GET", "/a b\"c\u0001\u007f/é/\uD83D\uDE00/\uD800x\\", "HTTP/1.0", "Bad Key", null, null, 404, 0,
            "none", -1, -1, -1, -1, 1_234, null);

    private static String line(LineFormat format, AccessRecord r) {
        LogLine line = new LogLine();
        format.write(line, r, format.newClock());
        return new String(line.bytes(), 0, line.length(), StandardCharsets.UTF_8);
    }

    @Test
    void theTextLineIsTheCombinedLogFormatThenTheRoutingFields() {
        assertThat(line(LineFormat.TEXT, PROXIED)).isEqualTo("127.0.0.1 - - [04/Dec/2026:18:58:11.005 +0000] "
                + "\"GET /orders?id=7 HTTP/1.1\" 200 9 key=h23.example.com backend=pod2 server=127.0.0.1:19103 route=miss "
                + "lookup_ms=15.2 queue_ms=0.0 connect_ms=1.0 response_ms=0.4 total_ms=17.2 "
                + "request_id=3df54f61bb36618cbb5a4231f58a9a51");
    }

    @Test
    void theTextLineEscapesWhatWouldSplitItAndKeepsOtherCharactersAsUtf8() {
        assertThat(line(LineFormat.TEXT, HOSTILE)).isEqualTo("::1 - - [04/Dec/2026:18:58:11.864 +0000] "
                + "\"GET /a%20b%22c%01%7F/é/\uD83D\uDE00/?x\\ HTTP/1.0\" 404 0 key=Bad%20Key backend=- server=- route=none "
                + "lookup_ms=-1 queue_ms=-1 connect_ms=-1 response_ms=-1 total_ms=1.2 request_id=-");
    }

    @Test
    void theJsonLineHasEveryFieldAndEscapesStrings() {
        assertThat(line(LineFormat.JSON, PROXIED)).isEqualTo("{\"time\":\"2026-12-04T18:58:11.005Z\",\"client\":\"127.0.0.1\","
                + "\"method\":\"GET\",\"uri\":\"/orders?id=7\",\"protocol\":\"HTTP/1.1\",\"key\":\"h23.example.com\","
                + "\"backend\":\"pod2\",\"server\":\"127.0.0.1:19103\",\"status\":200,\"bytes\":9,\"route\":\"miss\","
                + "\"lookup_ms\":15.2,\"queue_ms\":0.0,\"connect_ms\":1.0,\"response_ms\":0.4,\"total_ms\":17.2,"
                + "\"request_id\":\"3df54f61bb36618cbb5a4231f58a9a51\"}");
        assertThat(line(LineFormat.JSON, HOSTILE)).isEqualTo("{\"time\":\"2026-12-04T18:58:11.864Z\",\"client\":\"::1\","
                + "\"method\":\"GET\",\"uri\":\"/a b\\\"c\\u0001\\u007f/é/\uD83D\uDE00/?x\\\\\",\"protocol\":\"HTTP/1.0\","
                + "\"key\":\"Bad%20Key\",\"backend\":null,\"server\":null,\"status\":404,\"bytes\":0,\"route\":\"none\","
                + "\"lookup_ms\":-1,\"queue_ms\":-1,\"connect_ms\":-1,\"response_ms\":-1,\"total_ms\":1.2,\"request_id\":null}");
    }

    @Test
    void configuredNamesOutsideAsciiAreWrittenAsUtf8() {
        AccessRecord r = new AccessRecord(0, "127.0.0.1", "GET", "/", "HTTP/1.1", "acme.example.com", "pöd-zürich",
                "127.0.0.1:19101", 200, 9, "hit", -1, 0, 0, 0, 0, "id");
        assertThat(line(LineFormat.TEXT, r)).contains(" key=acme.example.com backend=pöd-zürich server=127.0.0.1:19101 ");
        assertThat(line(LineFormat.JSON, r)).contains(",\"backend\":\"pöd-zürich\",\"server\":\"127.0.0.1:19101\",");
    }

    @Test
    void aLineLongerThanItsFirstBufferGrows() {
        String uri = "/" + "a".repeat(20_000);
        AccessRecord r = new AccessRecord(0, "127.0.0.1", "GET", uri, "HTTP/1.1", null, null, null, 414, 0, "none",
                -1, -1, -1, -1, 0, null);
        assertThat(line(LineFormat.TEXT, r)).startsWith("127.0.0.1 - - [01/Jan/1970:00:00:00.000 +0000] \"GET " + uri + " ")
                .endsWith(" key=- backend=- server=- route=none lookup_ms=-1 queue_ms=-1 connect_ms=-1 response_ms=-1 "
                        + "total_ms=0.0 request_id=-");
    }

    @Test
    void numbersAreWrittenInDecimal() {
        for (long n : new long[] {0, 7, 10, 99, 100, 65_535, -1, -42, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThat(new LogLine().number(n).toString()).isEqualTo(Long.toString(n));
        }
    }
}
