package io.podrouter.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stream entry format and the rule that tells a reader whether it may have missed entries. */
class RouteChangeTest {

    private static Map<String, String> fields(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void theDocumentedEntries() {
        assertThat(RouteChange.parse(fields("key", "acme.example.com", "backend", "pod2")))
                .isEqualTo(new RouteChange.Move("acme.example.com", "pod2", null));
        assertThat(RouteChange.parse(fields("key", "acme.example.com", "backend", "pod2", "ttl", "300")))
                .isEqualTo(new RouteChange.Move("acme.example.com", "pod2", Duration.ofSeconds(300)));
        assertThat(RouteChange.parse(fields("key", "acme.example.com"))).isEqualTo(new RouteChange.Forget("acme.example.com"));
        assertThat(RouteChange.parse(fields("key", "acme.example.com", "backend", "")))
                .isEqualTo(new RouteChange.Forget("acme.example.com"));
        assertThat(RouteChange.parse(fields("key", "*", "backend", "pod3"))).isEqualTo(new RouteChange.ForgetBackend("pod3"));
        assertThat(RouteChange.parse(fields("key", "*"))).isEqualTo(new RouteChange.ForgetAll());
    }

    @Test
    void entriesThatAreNoChange() {
        for (Map<String, String> bad : new Map[] {
                fields("backend", "pod1"),
                fields("key", "ACME.example.com", "backend", "pod1"),
                fields("key", "acme.example.com.", "backend", "pod1"),
                fields("key", "acme.example.com:443", "backend", "pod1"),
                fields("key", "a/b", "backend", "pod1"),
                fields("key", "acme.example.com", "backend", "pod1", "extra", "1"),
                fields("key", "acme.example.com", "backend", "pod1", "ttl", "0"),
                fields("key", "acme.example.com", "backend", "pod1", "ttl", "-5"),
                fields("key", "acme.example.com", "ttl", "5"),
                fields("key", "*", "backend", "pod1", "ttl", "5")}) {
            assertThatThrownBy(() -> RouteChange.parse(bad)).as(bad.toString()).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void streamIdsOrderByTimeThenSequence() {
        assertThat(StreamId.parse("1700000000000-5")).isEqualTo(new StreamId(1_700_000_000_000L, 5));
        assertThat(StreamId.parse("2-0").isAfter(StreamId.parse("1-9"))).isTrue();
        assertThat(StreamId.parse("1-10").isAfter(StreamId.parse("1-9"))).isTrue();
        assertThat(StreamId.parse("7").toString()).isEqualTo("7-0");
        assertThatThrownBy(() -> StreamId.parse("x-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReaderMissedEntriesWhenWhatItReadLastIsGoneAndMoreCameAfter() {
        StreamId last = StreamId.parse("100-0");
        StreamInfo moreAfter = new StreamInfo(true, StreamId.parse("200-0"), 50, 500);
        assertThat(moreAfter.needsToKnowIfHeld(last)).isTrue();
        assertThat(moreAfter.lostEntriesAfter(last, true)).as("its last entry is still held").isFalse();
        assertThat(moreAfter.lostEntriesAfter(last, false)).as("trimmed past it").isTrue();

        StreamInfo nothingAfter = new StreamInfo(true, last, 0, 500);
        assertThat(nothingAfter.lostEntriesAfter(last, false)).as("trimmed, but nothing came after").isFalse();
        assertThat(new StreamInfo(true, StreamId.parse("50-0"), 3, 3).lostEntriesAfter(last, false))
                .as("recreated: IDs went back").isTrue();
        assertThat(StreamInfo.MISSING.lostEntriesAfter(last, false)).as("deleted").isTrue();
        assertThat(StreamInfo.MISSING.lostEntriesAfter(StreamId.ZERO, false)).as("never written").isFalse();
        assertThat(new StreamInfo(true, last, 0, 2).lostEntriesAfter(StreamId.ZERO, false))
                .as("nothing read yet, and entries were trimmed").isTrue();
        assertThat(new StreamInfo(true, last, 2, 2).lostEntriesAfter(StreamId.ZERO, false)).isFalse();
    }
}
