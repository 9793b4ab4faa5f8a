package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An exchange between a {@link RecordingClient} and a server connection on an {@link EmbeddedChannel}. */
class ExchangeTest {
    final EmbeddedPod pod = new EmbeddedPod();
    final RecordingClient client = new RecordingClient();
    final ExchangeTimings timings = new ExchangeTimings();

    @AfterEach
    void close() {
        pod.close();
        client.channel.finishAndReleaseAll();
    }

    private Exchange start(HttpRequest request, boolean http10, String upgrade) {
        timings.headArrived(true);
        Exchange e = new Exchange(client, request, pod.pod, null, EmbeddedPod.HOST, true, http10, upgrade, timings,
                pod.settings);
        client.exchange = e;
        e.start();
        return e;
    }

    private static HttpRequest get(String uri) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("Host", EmbeddedPod.HOST);
        return r;
    }

    private static HttpResponse response(int status, String... headers) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static LastHttpContent last(String body) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
    }

    @Test
    void aGetIsRelayedAndItsConnectionGoesBackToThePool() {
        EmbeddedChannel up = pod.idleConnection();
        HttpRequest request = get("/a");
        Exchange e = start(request, false, null);
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        e.flushUpstream();
        assertThat((Object) up.readOutbound()).isSameAs(request);
        assertThat((Object) up.readOutbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(client.waitingTaken).as("told it may send what waited").isEqualTo(1);

        up.writeInbound(response(200, "Content-Length", "2"), last("ok"));

        HttpResponse relayed = client.channel.readOutbound();
        assertThat(relayed.status().code()).isEqualTo(200);
        assertThat(relayed.headers().get("X-Request-Id")).isEqualTo("rid");
        LastHttpContent body = client.channel.readOutbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        body.release();
        assertThat(client.told).containsExactly("finished, keep open: true");
        assertThat(pod.pool.pollIdle()).as("back in the pool").isSameAs(up);
        assertThat(pod.server.active()).as("the slot is given back").isZero();
        assertThat(pod.pod.responses().total()).isEqualTo(1);
    }

    @Test
    void aClientThatCannotTakeMorePausesTheServersReadsUntilItCan() {
        EmbeddedChannel up = pod.idleConnection();
        Exchange e = start(get("/big"), false, null);
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        up.writeInbound(response(200, "Content-Length", "100000"));
        client.channel.write(Unpooled.wrappedBuffer(new byte[ReadGate.WATER_MARK.high() + 1]));
        assertThat(client.channel.isWritable()).isFalse();

        up.pipeline().fireChannelRead(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1000])));
        assertThat(up.config().isAutoRead()).as("the server's reads pause").isFalse();

        up.pipeline().fireChannelReadComplete(); // flushes the client, which becomes writable
        assertThat(up.config().isAutoRead()).isTrue();
        assertThat(((UpstreamHandler) up.pipeline().get(PipelineNames.UPSTREAM)).readGate().pauses()).isEqualTo(1);
        EmbeddedPod.drainOutbound(up);
    }

    @Test
    void aServerThatCannotTakeMorePausesTheClientsReads() {
        EmbeddedChannel up = pod.idleConnection();
        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        post.headers().set("Content-Length", "200000");
        Exchange e = start(post, false, null);
        e.forwardRequestContent(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[ReadGate.WATER_MARK.high() + 1])));
        assertThat(client.channel.config().isAutoRead()).isFalse();

        up.flush();
        assertThat(client.channel.config().isAutoRead()).as("resumed once the server took it").isTrue();
        assertThat(client.readGate().pauses()).isEqualTo(1);
        EmbeddedPod.drainOutbound(up);
    }

    @Test
    void aPostWhoseReusedConnectionClosesBeforeAnyResponseIsAnswered502AndNotSentAgain() {
        EmbeddedChannel up = pod.idleConnection();
        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/p");
        post.headers().set("Content-Length", "5");
        Exchange e = start(post, false, null);
        e.forwardRequestContent(last("hello"));
        EmbeddedPod.drainOutbound(up);

        up.close();

        assertThat(client.told).containsExactly("failed 502, keep open: true");
        assertThat(pod.metrics.retries("not_idempotent")).isEqualTo(1);
        assertThat(pod.metrics.retries("retried")).isZero();
        assertThat(pod.server.active()).isZero();
    }

    @Test
    void aResponseCutShortCutsTheClientOff() {
        EmbeddedChannel up = pod.idleConnection();
        Exchange e = start(get("/cut"), false, null);
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        up.writeInbound(response(200, "Content-Length", "10"), new DefaultHttpContent(Unpooled.copiedBuffer("abc",
                StandardCharsets.US_ASCII)));
        up.close();

        assertThat(client.told).containsExactly("aborted");
        assertThat(pod.pool.pollIdle()).isNull();
        EmbeddedPod.drainOutbound(client.channel);
    }

    @Test
    void anHttp10ClientGetsAChunkedBodyAsItIsAndItsConnectionCloses() {
        EmbeddedChannel up = pod.idleConnection();
        Exchange e = start(get("/old"), true, null);
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        up.writeInbound(response(200, "Transfer-Encoding", "chunked"), last("body"));

        HttpResponse relayed = client.channel.readOutbound();
        assertThat(relayed.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(relayed.headers().get("Connection")).isEqualTo("close");
        assertThat(client.told).containsExactly("finished, keep open: false");
        assertThat(pod.pool.pollIdle()).as("the server's connection is still good").isSameAs(up);
        EmbeddedPod.drainOutbound(client.channel);
    }

    @Test
    void anInvalidResponseIsAnswered502AndItsConnectionClosed() {
        EmbeddedChannel up = pod.idleConnection();
        Exchange e = start(get("/bad"), false, null);
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse bad = response(200);
        bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));
        up.writeInbound(bad);

        assertThat(client.told).containsExactly("failed 502, keep open: true");
        assertThat(up.isOpen()).isFalse();
    }

    @Test
    void aServerThatSwitchesProtocolsBecomesATunnel() {
        EmbeddedChannel up = pod.idleConnection();
        HttpRequest request = get("/ws");
        Exchange e = start(request, false, "websocket");
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        up.writeInbound(response(101, "Upgrade", "websocket", "Connection", "Upgrade"));

        HttpResponse relayed = client.channel.readOutbound();
        assertThat(relayed.status().code()).isEqualTo(101);
        assertThat(client.told).containsExactly("tunnel");
        assertThat(client.tunnelTo).isSameAs(up);
        assertThat(up.pipeline().names()).contains(PipelineNames.TUNNEL).doesNotContain(PipelineNames.UPSTREAM);
        assertThat(pod.server.active()).as("a tunnel holds no slot").isZero();
        EmbeddedPod.drainOutbound(up);
    }

    @Test
    void aServerThatSwitchesProtocolsUnaskedIsAnswered502() {
        EmbeddedChannel up = pod.idleConnection();
        Exchange e = start(get("/no"), false, null);
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        up.writeInbound(response(101, "Upgrade", "websocket"));
        assertThat(client.told).containsExactly("failed 502, keep open: true");
        EmbeddedPod.drainOutbound(up);
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsAnswered504() {
        EmbeddedChannel up = pod.idleConnection();
        Exchange e = start(get("/slow"), false, null);
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        // The deadline is the server connection's (ResponseDeadline): its clock is the one that runs.
        up.advanceTimeBy(pod.settings.timeouts().server().toMillis() + 1, TimeUnit.MILLISECONDS);
        up.runPendingTasks();
        assertThat(client.told).containsExactly("failed 504, keep open: true");
        EmbeddedPod.drainOutbound(up);
    }

    @Test
    void aClientThatGoesAwayGivesEverythingBack() {
        EmbeddedChannel up = pod.idleConnection();
        Exchange e = start(get("/gone"), false, null);
        e.clientClosed();
        assertThat(up.isOpen()).isFalse();
        assertThat(pod.server.active()).isZero();
        assertThat(client.told).isEmpty();
        ReferenceCountUtil.release(up.readOutbound());
    }
}
