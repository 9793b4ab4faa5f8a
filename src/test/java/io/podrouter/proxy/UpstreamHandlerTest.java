package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.podrouter.testing.Poll;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamHandlerTest {
    final EmbeddedPod pod = new EmbeddedPod();

    @AfterEach
    void close() {
        pod.close();
    }

    @Test
    void anythingAServerSendsOnAnIdleConnectionClosesIt() {
        EmbeddedChannel up = pod.idleConnection();
        HttpContent stray = new DefaultHttpContent(Unpooled.copiedBuffer(new byte[3]));
        up.writeInbound(stray);
        assertThat(stray.refCnt()).isZero();
        assertThat(up.isOpen()).isFalse();
        assertThat(pod.pool.pollIdle()).as("it left the pool").isNull();
    }

    @Test
    void aFailureOnAnIdleConnectionClosesIt() {
        EmbeddedChannel up = pod.idleConnection();
        up.pipeline().fireExceptionCaught(new IOException("reset"));
        assertThat(up.isOpen()).isFalse();
    }

    @Test
    void anIdleConnectionIsClosedAfterThePoolsIdleTimeout() {
        EmbeddedChannel up = pod.channel(new UpstreamHandler(5, 0));
        Poll.until("the pool's idle timer closes the connection", () -> {
            up.runPendingTasks();
            return !up.isOpen();
        });
        assertThat(up.isOpen()).isFalse();
    }

    @Test
    void aServerSilentInTheMiddleOfItsResponseCutsTheResponseShort() {
        EmbeddedChannel up = pod.idleConnection(5);
        RecordingClient client = new RecordingClient();
        ExchangeTimings timings = new ExchangeTimings();
        timings.headArrived(true);
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        Exchange e = new Exchange(client, request, pod.pod, null, null, true, false, null, timings, pod.settings);
        e.start();
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        up.writeInbound(new io.netty.handler.codec.http.DefaultHttpResponse(HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpResponseStatus.OK));

        Poll.until("the silence timer cuts the response", () -> {
            up.runPendingTasks();
            return !client.told.isEmpty();
        });
        assertThat(client.told).containsExactly("aborted");
        assertThat(up.isOpen()).isFalse();
        EmbeddedPod.drainOutbound(up);
        client.channel.finishAndReleaseAll();
    }

    @Test
    void aFailedConnectionTellsItsExchange() {
        EmbeddedChannel up = pod.idleConnection();
        RecordingClient client = new RecordingClient();
        ExchangeTimings timings = new ExchangeTimings();
        timings.headArrived(true);
        Exchange e = new Exchange(client, new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"), pod.pod,
                null, null, true, false, null, timings, pod.settings);
        e.start();
        e.forwardRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
        up.pipeline().fireExceptionCaught(new IOException("reset by peer"));

        assertThat(client.told).containsExactly("failed 502, keep open: true");
        assertThat(up.isOpen()).isFalse();
        EmbeddedPod.drainOutbound(up);
        client.channel.finishAndReleaseAll();
    }
}
