package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client connection's pipeline (codec and FrontendHandler) on an {@link EmbeddedChannel}. */
class FrontendHandlerTest {
    final EmbeddedPod pod = new EmbeddedPod();
    final EmbeddedChannel client = pod.channel();

    FrontendHandlerTest() {
        client.pipeline().addLast(PipelineNames.HTTP_CODEC, new ClientHttpCodec(8192, 32768))
                .addLast(PipelineNames.FRONTEND, new FrontendHandler(() -> pod.settings, false, false));
    }

    @AfterEach
    void close() {
        pod.close();
    }

    private void send(String text) {
        client.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    /** What the client has been sent so far. */
    private String received() {
        StringBuilder s = new StringBuilder();
        Object msg;
        while ((msg = client.readOutbound()) != null) {
            s.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(msg);
        }
        return s.toString();
    }

    private static String get(String path, String host) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    private static void answer(EmbeddedChannel up, String body) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().setInt("Content-Length", body.length());
        up.writeInbound(r, new DefaultLastHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII)));
    }

    @Test
    void aRequestForAnUnknownHostIsAnswered404AndTheConnectionStaysOpen() {
        send(get("/", "nowhere.example"));
        String response = received();
        assertThat(response).startsWith("HTTP/1.1 404 ").contains("x-request-id: ").doesNotContain("connection: close");
        assertThat(client.isOpen()).isTrue();

        send(get("/again", "nowhere.example"));
        assertThat(received()).startsWith("HTTP/1.1 404 ");
    }

    @Test
    void connectIsAnswered405() {
        send("CONNECT t.example:443 HTTP/1.1\r\nHost: t.example:443\r\n\r\n");
        assertThat(received()).startsWith("HTTP/1.1 405 ");
    }

    @Test
    void aHeadTheDecoderRefusesIsAnswered400AndTheConnectionCloses() {
        send("GET / HTTP/1.1\r\nHost: t.example\r\nX-A: 1\r\n 2\r\n\r\n");
        assertThat(received()).startsWith("HTTP/1.1 400 ").contains("connection: close");
        assertThat(client.isOpen()).isFalse();
        assertThat(pod.metrics.unrouted().total()).isEqualTo(1);
    }

    @Test
    void aRoutedRequestGoesToItsServerAndTheResponseComesBack() {
        EmbeddedChannel up = pod.idleConnection();
        send(get("/a", EmbeddedPod.HOST));

        HttpRequest forwarded = up.readOutbound();
        assertThat(forwarded.uri()).isEqualTo("/a");
        assertThat(forwarded.headers().get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(forwarded.headers().get("X-Request-Id")).hasSize(32);
        assertThat((Object) up.readOutbound()).isInstanceOf(LastHttpContent.class);

        answer(up, "hello");
        String response = received();
        assertThat(response).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nhello")
                .contains("x-request-id: " + forwarded.headers().get("X-Request-Id"));
        assertThat(pod.pool.pollIdle()).isSameAs(up);
    }

    @Test
    void aPipelinedRequestWaitsWithReadsPausedUntilTheFirstIsAnswered() {
        EmbeddedChannel up = pod.idleConnection();
        send(get("/1", EmbeddedPod.HOST) + get("/2", EmbeddedPod.HOST));
        assertThat(((HttpRequest) up.readOutbound()).uri()).isEqualTo("/1");
        ReferenceCountUtil.release(up.readOutbound());
        assertThat((Object) up.readOutbound()).as("the second waits").isNull();
        assertThat(client.config().isAutoRead()).isFalse();

        answer(up, "one");
        assertThat(((HttpRequest) up.readOutbound()).uri()).as("then goes, on the same connection").isEqualTo("/2");
        ReferenceCountUtil.release(up.readOutbound());
        assertThat(client.config().isAutoRead()).as("nothing waits: reads resume").isTrue();
        assertThat(((FrontendHandler) client.pipeline().get(PipelineNames.FRONTEND)).readGate().pauses()).isEqualTo(1);

        answer(up, "two");
        assertThat(received()).contains("\r\n\r\none").endsWith("\r\n\r\ntwo");
    }

    @Test
    void aClientThatGoesAwayMidExchangeIsCounted499() {
        EmbeddedChannel up = pod.idleConnection();
        send(get("/a", EmbeddedPod.HOST));
        EmbeddedPod.drainOutbound(up);
        client.close();
        assertThat(up.isOpen()).as("a half-done exchange's connection is not reused").isFalse();
        assertThat(pod.pod.responses().total()).isEqualTo(1);
        assertThat(pod.server.active()).isZero();
    }

    @Test
    void onceTheRouterStopsAnswersCloseTheirConnection() throws Exception {
        pod.connections.drain(Duration.ZERO);
        send(get("/", "nowhere.example"));
        assertThat(received()).startsWith("HTTP/1.1 404 ").contains("connection: close");
        assertThat(client.isOpen()).isFalse();
    }
}
