package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TunnelHandlerTest {
    final EmbeddedChannel client = httpChannel(PipelineNames.FRONTEND);
    final EmbeddedChannel server = httpChannel(PipelineNames.UPSTREAM);
    final ReadGate clientGate = new ReadGate(client);
    final ReadGate serverGate = new ReadGate(server);

    private static EmbeddedChannel httpChannel(String lastHandler) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(PipelineNames.HTTP_CODEC, new ChannelDuplexHandler())
                .addLast(lastHandler, new ChannelInboundHandlerAdapter());
        return ch;
    }

    @BeforeEach
    void tunnel() {
        clientGate.pause(ReadGate.QUEUE);
        TunnelHandler.install(client.pipeline(), clientGate, server, serverGate, 1000, PipelineNames.FRONTEND);
        TunnelHandler.install(server.pipeline(), serverGate, client, clientGate, 1000, PipelineNames.UPSTREAM);
    }

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String read(EmbeddedChannel ch) {
        ByteBuf b = ch.readOutbound();
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void theHttpHandlersGiveWayToTheTunnelAndReadsResume() {
        assertThat(client.pipeline().names()).contains(PipelineNames.IDLE, PipelineNames.TUNNEL)
                .doesNotContain(PipelineNames.HTTP_CODEC, PipelineNames.FRONTEND);
        assertThat(server.pipeline().names()).contains(PipelineNames.IDLE, PipelineNames.TUNNEL)
                .doesNotContain(PipelineNames.HTTP_CODEC, PipelineNames.UPSTREAM);
        assertThat(client.config().isAutoRead()).as("whatever had paused the client's reads").isTrue();
    }

    @Test
    void bytesGoBothWays() {
        client.writeInbound(bytes("ping"));
        server.writeInbound(bytes("pong"));
        assertThat(read(server)).isEqualTo("ping");
        assertThat(read(client)).isEqualTo("pong");
    }

    @Test
    void theEndOfTheHttpMessageThatAskedForTheSwitchIsDropped() {
        LastHttpContent end = new DefaultLastHttpContent(Unpooled.buffer(0));
        client.writeInbound(end);
        assertThat(end.refCnt()).isZero();
        assertThat((Object) server.readOutbound()).isNull();
    }

    @Test
    void readsPauseWhileThePeerCannotTakeMoreAndResumeWhenItDrains() {
        server.write(Unpooled.wrappedBuffer(new byte[ReadGate.WATER_MARK.high() + 1]));
        assertThat(server.isWritable()).isFalse();

        client.pipeline().fireChannelRead(bytes("more"));
        assertThat(client.config().isAutoRead()).isFalse();

        client.pipeline().fireChannelReadComplete(); // flushes the peer, which becomes writable
        assertThat(client.config().isAutoRead()).isTrue();
        assertThat(clientGate.pauses()).isEqualTo(2); // the queue's before the switch, then the peer's
        server.outboundMessages().forEach(m -> ((ByteBuf) m).release());
        server.outboundMessages().clear();
    }

    @Test
    void eitherSideClosingClosesTheOther() {
        client.close();
        assertThat(server.isOpen()).isFalse();
    }

    @Test
    void anIdleTunnelCloses() {
        server.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(server.isOpen()).isFalse();
        assertThat(client.isOpen()).isFalse();
    }
}
