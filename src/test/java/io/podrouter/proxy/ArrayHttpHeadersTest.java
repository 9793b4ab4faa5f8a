package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArrayHttpHeadersTest {

    private static HttpHeaders headers() {
        return ArrayHttpHeaders.HEADERS.newHeaders();
    }

    @Test
    void namesMatchWithoutCaseAndValuesKeepTheirOrder() {
        HttpHeaders h = headers()
                .add("Host", "a.example.com")
                .add(HttpHeaderNames.ACCEPT, "text/html")
                .add("ACCEPT", "text/plain");

        assertThat(h.get("host")).isEqualTo("a.example.com");
        assertThat(h.get(HttpHeaderNames.HOST)).isEqualTo("a.example.com");
        assertThat(h.getAll("Accept")).containsExactly("text/html", "text/plain");
        assertThat(h.getAll("missing")).isEmpty();
        assertThat(h.contains("accept")).isTrue();
        assertThat(h.contains(AsciiString.of("x-missing"))).isFalse();
        assertThat(h.size()).isEqualTo(3);
        assertThat(h.names()).containsExactly("Host", "accept");
    }

    @Test
    void setReplacesEveryValueOfTheNameAndKeepsTheOthers() {
        HttpHeaders h = headers().add("a", "1").add("b", "2").add("A", "3").add("c", "4");

        h.set("a", "5");

        assertThat(h.getAll("a")).containsExactly("5");
        assertThat(names(h)).containsExactly("a", "b", "c");
        h.set("d", 6).setInt("e", 7);
        assertThat(h.getInt("d")).isEqualTo(6);
        assertThat(h.getInt("e", 0)).isEqualTo(7);
        h.set("b", List.of("x", "y"));
        assertThat(h.getAll("B")).containsExactly("x", "y");
    }

    @Test
    void removeTakesEveryValueOfTheName() {
        HttpHeaders h = headers().add("Connection", "keep-alive").add("Host", "h").add("connection", "upgrade");

        h.remove(HttpHeaderNames.CONNECTION);

        assertThat(names(h)).containsExactly("Host");
        h.remove("absent");
        assertThat(h.size()).isEqualTo(1);
        h.clear();
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.get("Host")).isNull();
    }

    @Test
    void containsValueReadsCommaSeparatedListsOverAllLines() {
        HttpHeaders h = headers().add("Connection", "keep-alive , Upgrade").add("Transfer-Encoding", "gzip")
                .add("Transfer-Encoding", "chunked");

        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)).isTrue();
        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, false)).isFalse();
        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)).isFalse();
        assertThat(h.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true)).isTrue();
        assertThat(h.contains(HttpHeaderNames.TRANSFER_ENCODING, "CHUNKED", true)).isTrue();
        assertThat(h.contains(HttpHeaderNames.TRANSFER_ENCODING, "CHUNKED", false)).isFalse();
        assertThat(h.contains(HttpHeaderNames.CONNECTION, "upgrade", true)).isFalse(); // whole values only
    }

    @Test
    void refusesWhatWouldSplitOrForgeAHeader() {
        HttpHeaders h = headers();

        assertThatThrownBy(() -> h.add("X-Evil", "a\r\nInjected: yes")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.set("Bad Name", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("X", (Object) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> h.set("X", List.of("ok", "not\nok"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(h.isEmpty()).isTrue();
        assertThatThrownBy(() -> ArrayHttpHeaders.TRAILERS.newHeaders().add("Content-Length", "3"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ArrayHttpHeaders.TRAILERS.newHeaders().add("Grpc-Status", "0").get("grpc-status")).isEqualTo("0");
    }

    @Test
    void convertsValuesAsNettysHeadersDo() {
        Date epoch = new Date(0);
        HttpHeaders h = headers().add("Content-Length", 42L).add("Date", epoch).add("N", "notanumber");

        assertThat(h.get("content-length")).isEqualTo("42");
        assertThat(h.get("Date")).isEqualTo(new DefaultHttpHeaders().add("Date", epoch).get("Date"));
        assertThat(h.getTimeMillis("date")).isEqualTo(0L);
        assertThat(h.getInt("N")).isNull();
        assertThat(h.getShort("content-length")).isEqualTo((short) 42);
    }

    @Test
    void iteratorsRemoveWhatTheyLastReturned() {
        HttpHeaders h = headers().add("Proxy-A", "1").add("Host", "h").add("proxy-b", "2").add("X", "3");

        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        while (it.hasNext()) {
            if (it.next().getKey().toString().toLowerCase().startsWith("proxy-")) {
                it.remove();
            }
        }
        assertThat(names(h)).containsExactly("Host", "X");

        h.add("Via", "1").add("via", "2");
        Iterator<? extends CharSequence> values = h.valueCharSequenceIterator("VIA");
        assertThat(values.next().toString()).isEqualTo("1");
        values.remove();
        assertThat(values.next().toString()).isEqualTo("2");
        assertThat(values.hasNext()).isFalse();
        assertThat(h.getAll("via")).containsExactly("2");
    }

    @Test
    void encodesEveryHeaderInOrder() {
        ArrayHttpHeaders h = (ArrayHttpHeaders) headers().add(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                .add("X-Request-Id", AsciiString.of("abc"));
        ByteBuf out = Unpooled.buffer(4);
        try {
            h.encode(out);
            assertThat(out.toString(StandardCharsets.US_ASCII))
                    .isEqualTo("content-type: text/plain\r\nX-Request-Id: abc\r\n");
        } finally {
            out.release();
        }
    }

    @Test
    void copiesAreIndependentAndPrintable() {
        HttpHeaders h = headers().add("A", "1");
        HttpHeaders copy = h.copy().add("B", "2");

        assertThat(h.size()).isEqualTo(1);
        assertThat(copy.size()).isEqualTo(2);
        assertThat(copy.toString()).contains("A: 1").contains("B: 2");
        assertThat(new DefaultHttpHeaders().add(copy).get("b")).isEqualTo("2");
    }

    private static List<String> names(HttpHeaders h) {
        List<String> names = new ArrayList<>();
        h.iteratorCharSequence().forEachRemaining(e -> names.add(e.getKey().toString()));
        return names;
    }
}
