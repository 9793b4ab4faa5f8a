package io.podrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side of an upgraded connection (WebSocket, or any protocol after a 101): bytes go to the
 * other side as they come, reading pauses while the other side cannot take more, and either side
 * closing (or the tunnel idling past its timeout) closes both.
 */
final class TunnelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TunnelHandler.class);
    private final Channel peer;
    private final ReadGate gate;
    private final ReadGate peerGate;

    TunnelHandler(ReadGate gate, Channel peer, ReadGate peerGate) {
        this.gate = gate;
        this.peer = peer;
        this.peerGate = peerGate;
    }

    /**
     * Turns {@code pipeline}'s channel (read through {@code gate}) into this side of a tunnel to
     * {@code peer} (read through {@code peerGate}): an idle timer
     * goes in for the tunnel ({@code idleMillis} both ways), the tunnel goes last, and the HTTP
     * handlers leave: {@code lastHttpHandler} first, then the codec, so that bytes the decoder
     * still holds flow to the tunnel as it goes. Reads resume whatever had paused them.
     */
    static void install(ChannelPipeline pipeline, ReadGate gate, Channel peer, ReadGate peerGate, long idleMillis,
                        String lastHttpHandler) {
        pipeline.addBefore(PipelineNames.HTTP_CODEC, PipelineNames.IDLE, new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        pipeline.addLast(PipelineNames.TUNNEL, new TunnelHandler(gate, peer, peerGate));
        pipeline.remove(lastHttpHandler);
        pipeline.remove(PipelineNames.HTTP_CODEC);
        gate.open();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            peer.write(bytes, peer.voidPromise());
            if (!peer.isWritable()) {
                gate.pause(ReadGate.PEER);
            }
        } else {
            ReferenceCountUtil.release(msg); // the empty end of the HTTP message that asked for the switch
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peerGate.resume(ReadGate.PEER);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.debug("closing an idle tunnel {} <-> {}", ctx.channel().remoteAddress(), peer.remoteAddress());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            log.warn("tunnel {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
