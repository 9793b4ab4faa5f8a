package io.podrouter.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Netty's HTTP/2 frame codec for client connections, with RFC 9113's errors for frames on streams
 * the connection no longer has (see {@link ClosedStreams}) and for HEADERS on a stream the client
 * already ended.
 */
final class ClientHttp2Codec extends Http2FrameCodec {
    private final ClosedStreams closedStreams = new ClosedStreams();
    private final LastInboundFrame lastFrame;

    private ClientHttp2Codec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder, Http2Settings settings,
                             boolean decoupleCloseAndGoAway, boolean flushPreface, LastInboundFrame lastFrame) {
        super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
        this.lastFrame = lastFrame;
        connection().addListener(closedStreams);
        decoder.frameListener(new AcceptedFrames(decoder.frameListener()));
    }

    /**
     * @param maxConcurrentStreams streams a client may have open at once
     * @param maxHeaderListSize largest header list accepted (decoded, as HPACK counts it)
     */
    static Http2FrameCodec build(int maxConcurrentStreams, long maxHeaderListSize) {
        LastInboundFrame lastFrame = new LastInboundFrame();
        return new Builder(lastFrame)
                .frameLogger(lastFrame)
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(maxConcurrentStreams)
                        .maxHeaderListSize(maxHeaderListSize))
                // Header names and values checked, and a request without :method, :scheme or :path
                // refused (RST_STREAM PROTOCOL_ERROR), before anything reaches a stream.
                .validateHeaders(true)
                .validateRequiredPseudoHeaders(true)
                .build();
    }

    @Override
    public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
        Http2Exception e = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (!outbound && e instanceof Http2Exception.StreamException se) {
            int id = se.streamId();
            var stream = connection().stream(id);
            if (stream == null && se.error() == Http2Error.STREAM_CLOSED) {
                Http2Error error = closedStreams.connectionErrorFor(id);
                if (error != null) {
                    super.onError(ctx, false, Http2Exception.connectionError(error, cause, "frame on stream %d, %s", id,
                            error == Http2Error.PROTOCOL_ERROR ? "an id below one already opened" : "closed"));
                    return;
                }
            } else if (stream != null && se.error() != Http2Error.STREAM_CLOSED && lastFrame.wasHeadersOn(id)
                    && closedStreams.endedByClient(id)) {
                // HEADERS after the client's END_STREAM: Netty calls it "too many headers" (PROTOCOL_ERROR);
                // RFC 9113 §5.1 says the stream is closed for the client (STREAM_CLOSED).
                lastFrame.forget();
                super.onError(ctx, false, Http2Exception.streamError(id, Http2Error.STREAM_CLOSED, cause,
                        "HEADERS on stream %d after its END_STREAM", id));
                return;
            }
        }
        lastFrame.forget();
        super.onError(ctx, outbound, cause);
    }

    /**
     * Hears the frames the connection accepted, before the codec: notes each END_STREAM, and that
     * the HEADERS last read is done with (a later frame refused before it is even logged, such as
     * a PRIORITY of the wrong size, must not pass for it).
     */
    private final class AcceptedFrames extends Http2FrameListenerDecorator {
        AcceptedFrames(Http2FrameListener listener) {
            super(listener);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
                throws Http2Exception {
            if (endOfStream) {
                closedStreams.ended(streamId);
            }
            return super.onDataRead(ctx, streamId, data, padding, endOfStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) throws Http2Exception {
            accepted(streamId, endOfStream);
            super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
            accepted(streamId, endOfStream);
            super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
        }

        private void accepted(int streamId, boolean endOfStream) {
            lastFrame.forget();
            if (endOfStream) {
                closedStreams.ended(streamId);
            }
        }
    }

    private static final class Builder extends Http2FrameCodecBuilder {
        private final LastInboundFrame lastFrame;

        Builder(LastInboundFrame lastFrame) {
            this.lastFrame = lastFrame;
            server(true);
            gracefulShutdownTimeoutMillis(0); // as forServer(): the connection closes once its streams are done
        }

        @Override
        protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            ClientHttp2Codec codec = new ClientHttp2Codec(encoder, decoder, settings, decoupleCloseAndGoAway(), flushPreface(), lastFrame);
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            return codec;
        }
    }
}
