package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHeadTest {
    final ForwardedHeaders forwarded = new ForwardedHeaders(List.of());
    final ForwardedHeaders.Peer peer = new ForwardedHeaders.Peer("192.0.2.7", false);

    private static HttpRequest request(HttpVersion version, String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(version, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void anAbsoluteFormTargetBecomesOriginFormWithItsAuthorityAsHost() {
        HttpRequest r = request(HttpVersion.HTTP_1_1, "http://t.example:8080/a?b=c", "Host", "other");
        RequestHead.forServer(r, forwarded, peer, "http", "id1");
        assertThat(r.uri()).isEqualTo("/a?b=c");
        assertThat(r.headers().get("Host")).isEqualTo("t.example:8080");
        assertThat(r.headers().get("X-Forwarded-Host")).isEqualTo("t.example:8080");
    }

    @Test
    void theServerIsToldWhoAskedAndTheRequestId() {
        HttpRequest r = request(HttpVersion.HTTP_1_0, "/", "Host", "t.example", "X-Forwarded-For", "spoofed",
                "Connection", "keep-alive, X-Secret", "X-Secret", "s");
        assertThat(RequestHead.forServer(r, forwarded, peer, "https", "id1")).isNull();
        assertThat(r.headers().get("X-Forwarded-For")).isEqualTo("192.0.2.7");
        assertThat(r.headers().get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(r.headers().get("X-Request-Id")).isEqualTo("id1");
        assertThat(r.headers().contains("X-Secret")).isFalse();
        assertThat(r.headers().contains("Connection")).isFalse();
        assertThat(r.protocolVersion()).as("the router's own version toward servers").isEqualTo(HttpVersion.HTTP_1_1);
    }

    @Test
    void anUpgradeIsTheOneHopByHopRequestThatGoesThrough() {
        HttpRequest r = request(HttpVersion.HTTP_1_1, "/ws", "Host", "t.example", "Upgrade", "websocket",
                "Connection", "Upgrade, X-Other", "X-Other", "o");
        assertThat(RequestHead.forServer(r, forwarded, peer, "http", "id1")).isEqualTo("websocket");
        assertThat(r.headers().get("Upgrade")).isEqualTo("websocket");
        assertThat(r.headers().get("Connection")).isEqualTo("upgrade");
        assertThat(r.headers().contains("X-Other")).isFalse();
    }
}
