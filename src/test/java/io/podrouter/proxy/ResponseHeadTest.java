package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class ResponseHeadTest {
    private static HttpResponse response(HttpVersion version, int status, String... headers) {
        HttpResponse r = new DefaultHttpResponse(version, HttpResponseStatus.valueOf(status));
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void theClientSeesTheRoutersVersionAndRequestIdAndNoHopByHopHeaders() {
        HttpResponse r = response(HttpVersion.HTTP_1_0, 200, "Connection", "keep-alive, X-Hop", "X-Hop", "h",
                "Keep-Alive", "timeout=5", "X-End", "e");
        assertThat(ResponseHead.forClient(r, "id1")).as("an HTTP/1.0 server with keep-alive keeps its connection").isTrue();
        assertThat(r.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(r.headers().get("X-Request-Id")).isEqualTo("id1");
        assertThat(r.headers().names()).containsExactlyInAnyOrder("X-End", "x-request-id");
    }

    @Test
    void aServerThatClosesSaysSo() {
        assertThat(ResponseHead.forClient(response(HttpVersion.HTTP_1_1, 200, "Connection", "close"), "id")).isFalse();
        assertThat(ResponseHead.forClient(response(HttpVersion.HTTP_1_0, 200), "id")).isFalse();
    }

    @Test
    void aChunkedResponseToAnHttp10ClientIsSentAsItIsAndEndsByClosing() {
        HttpResponse r = response(HttpVersion.HTTP_1_1, 200, "Transfer-Encoding", "chunked");
        assertThat(ResponseHead.frame(r, true, false, true)).isFalse();
        assertThat(r.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(r.headers().get("Connection")).isEqualTo("close");
    }

    @Test
    void aFramedResponseKeepsTheConnectionAndTellsAnHttp10ClientSo() {
        HttpResponse r = response(HttpVersion.HTTP_1_1, 200, "Content-Length", "3");
        assertThat(ResponseHead.frame(r, true, false, true)).isTrue();
        assertThat(r.headers().get("Connection")).isEqualTo("keep-alive");
        HttpResponse r11 = response(HttpVersion.HTTP_1_1, 200, "Content-Length", "3");
        assertThat(ResponseHead.frame(r11, false, false, true)).isTrue();
        assertThat(r11.headers().contains("Connection")).isFalse();
    }

    @Test
    void aBodyEndedOnlyByClosingClosesTheClientConnection() {
        HttpResponse r = response(HttpVersion.HTTP_1_1, 200);
        assertThat(ResponseHead.frame(r, false, false, true)).isFalse();
        assertThat(r.headers().get("Connection")).isEqualTo("close");
    }

    @Test
    void headAnswersAnd204And304NeedNoFraming() {
        assertThat(ResponseHead.frame(response(HttpVersion.HTTP_1_1, 200), false, true, true)).isTrue();
        assertThat(ResponseHead.frame(response(HttpVersion.HTTP_1_1, 204), false, false, true)).isTrue();
        assertThat(ResponseHead.frame(response(HttpVersion.HTTP_1_1, 304), false, false, true)).isTrue();
    }

    @Test
    void aConnectionThatMayNotStayIsClosedHoweverFramed() {
        HttpResponse r = response(HttpVersion.HTTP_1_1, 200, "Content-Length", "3");
        assertThat(ResponseHead.frame(r, false, false, false)).isFalse();
        assertThat(r.headers().get("Connection")).isEqualTo("close");
    }

    @Test
    void a101NamesTheProtocolAgreedOrElseTheOneAsked() {
        HttpResponse agreed = response(HttpVersion.HTTP_1_1, 101, "Upgrade", "WebSocket", "Connection", "Upgrade, X-Hop",
                "X-Hop", "h");
        ResponseHead.switching(agreed, "websocket");
        assertThat(agreed.headers().get("Upgrade")).isEqualTo("WebSocket");
        assertThat(agreed.headers().get("Connection")).isEqualTo("upgrade");
        assertThat(agreed.headers().contains("X-Hop")).isFalse();
        HttpResponse silent = response(HttpVersion.HTTP_1_1, 101);
        ResponseHead.switching(silent, "websocket");
        assertThat(silent.headers().get("Upgrade")).isEqualTo("websocket");
    }

    @Test
    void aResponseThatCannotBeRelayedSaysWhy() {
        HttpResponse bad = response(HttpVersion.HTTP_1_1, 200);
        bad.setDecoderResult(io.netty.handler.codec.DecoderResult.failure(new IllegalArgumentException("bad line")));
        assertThat(ResponseHead.unusable(bad, "s1", false)).isEqualTo("invalid response from s1: bad line");
        assertThat(ResponseHead.unusable(response(HttpVersion.valueOf("HTTP/2.0"), 200), "s1", false))
                .isEqualTo("s1 answered in HTTP/2.0, not HTTP/1.x");
        assertThat(ResponseHead.unusable(response(HttpVersion.HTTP_1_1, 101), "s1", false))
                .isEqualTo("s1 switched protocols without being asked");
        assertThat(ResponseHead.unusable(response(HttpVersion.HTTP_1_1, 101), "s1", true)).isNull();
        assertThat(ResponseHead.unusable(response(HttpVersion.HTTP_1_0, 200), "s1", false)).isNull();
    }
}
