package io.podrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RoutingKeyTest {

    @ParameterizedTest
    @CsvSource({
            "tenant5.example.com, tenant5.example.com",
            "Tenant5.Example.COM.:8080, tenant5.example.com",
            "tenant5.example.com:443, tenant5.example.com",
            "tenant5.example.com., tenant5.example.com",
            "LOCALHOST, localhost",
            "127.0.0.1:8080, 127.0.0.1",
            "a-b.c-d.e, a-b.c-d.e",
    })
    void hostNamesAreLowerCasedAndLoseTheirPortAndTrailingDot(String host, String key) {
        assertThat(RoutingKey.normalize(host)).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", ".a", "a/../../admin", "a%2f..", "a?b", "a#b", "a@b", "a b", "a_b",
            "-a.com", "a-.com", "[::1]", "[::1]:80", "a:", "a:x", "a:99999", "a:123456", "a:80:80", "ä.com", "a\tb"})
    void invalidHostNamesAreRejected(String host) {
        assertThat(RoutingKey.normalize(host)).isNull();
    }

    @Test
    void namesLongerThan253CharactersAreRejected() {
        String three = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + ".";
        String longest = three + "d".repeat(61);
        assertThat(longest).hasSize(253);
        assertThat(RoutingKey.normalize(longest)).isEqualTo(longest);
        assertThat(RoutingKey.normalize(longest + ".")).isEqualTo(longest);
        assertThat(RoutingKey.normalize(three + "d".repeat(62))).isNull();
        assertThat(RoutingKey.normalize("a".repeat(300))).isNull();
    }

    @Test
    void labelsLongerThan63CharactersAreRejected() {
        assertThat(RoutingKey.normalize("a".repeat(63) + ".com")).isNotNull();
        assertThat(RoutingKey.normalize("a".repeat(64) + ".com")).isNull();
        assertThat(RoutingKey.normalize("x." + "a".repeat(70))).isNull();
    }

    @Test
    void aCanonicalKeyComesBackAsTheSameString() {
        String host = "tenant1.example.com";
        assertThat(RoutingKey.normalize(host)).isSameAs(host);
    }
}
