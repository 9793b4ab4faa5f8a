package io.podrouter.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.logging.LogLevel;

/**
 * Which kind of frame a connection read last, seen before Netty validates it. Netty's frame
 * logger is the one hook on the frame reader, so this is one (it logs nothing): when a frame is
 * refused, {@link ClientHttp2Codec} can tell a HEADERS frame from the others.
 */
final class LastInboundFrame extends Http2FrameLogger {
    private boolean headers;
    private int streamId;

    LastInboundFrame() {
        super(LogLevel.TRACE, LastInboundFrame.class);
    }

    /** The last frame read was HEADERS on this stream. */
    boolean wasHeadersOn(int id) {
        return headers && streamId == id;
    }

    /** The last HEADERS read was accepted, or its error handled: it explains no later error. */
    void forget() {
        headers = false;
    }

    private void saw(Direction direction, boolean isHeaders, int id) {
        if (direction == Direction.INBOUND) {
            headers = isHeaders;
            streamId = id;
        }
    }

    @Override
    public boolean isEnabled() {
        return false;
    }

    @Override
    public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                           int padding, boolean endStream) {
        saw(direction, true, streamId);
    }

    @Override
    public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                           int streamDependency, short weight, boolean exclusive, int padding, boolean endStream) {
        saw(direction, true, streamId);
    }

    @Override
    public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                        boolean endStream) {
        saw(direction, false, streamId);
    }

    @Override
    public void logPriority(Direction direction, ChannelHandlerContext ctx, int streamId, int streamDependency,
                            short weight, boolean exclusive) {
        saw(direction, false, streamId);
    }

    @Override
    public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
        saw(direction, false, streamId);
    }

    @Override
    public void logSettingsAck(Direction direction, ChannelHandlerContext ctx) {
        saw(direction, false, 0);
    }

    @Override
    public void logSettings(Direction direction, ChannelHandlerContext ctx, Http2Settings settings) {
        saw(direction, false, 0);
    }

    @Override
    public void logPing(Direction direction, ChannelHandlerContext ctx, long data) {
        saw(direction, false, 0);
    }

    @Override
    public void logPingAck(Direction direction, ChannelHandlerContext ctx, long data) {
        saw(direction, false, 0);
    }

    @Override
    public void logPushPromise(Direction direction, ChannelHandlerContext ctx, int streamId, int promisedStreamId,
                               Http2Headers headers, int padding) {
        saw(direction, false, streamId);
    }

    @Override
    public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        saw(direction, false, 0);
    }

    @Override
    public void logWindowsUpdate(Direction direction, ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
        saw(direction, false, streamId);
    }

    @Override
    public void logUnknownFrame(Direction direction, ChannelHandlerContext ctx, byte frameType, int streamId,
                                Http2Flags flags, ByteBuf data) {
        saw(direction, false, streamId);
    }
}
