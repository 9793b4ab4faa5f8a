package io.podrouter.listener;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First on an HTTP/2 stream's channel: a protocol error on the stream (DATA after END_STREAM,
 * a content-length the DATA does not match, a pseudo-header in trailers...) stops here. Netty's
 * multiplexer resets the stream with that error's code right after telling the stream; a handler
 * further on that closed the stream channel first would reset it with CANCEL instead, or, when the
 * client had already ended its side, send nothing at all. The stream channel's close then ends the
 * exchange as any client that leaves does.
 */
@ChannelHandler.Sharable
final class StreamErrorHandler extends ChannelInboundHandlerAdapter {
    static final StreamErrorHandler INSTANCE = new StreamErrorHandler();
    private static final Logger log = LoggerFactory.getLogger(StreamErrorHandler.class);

    private StreamErrorHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Http2Exception error = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (error == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        log.debug("HTTP/2 stream {} of {} reset ({}): {}", ctx.channel(), ctx.channel().parent().remoteAddress(),
                error.error(), error.getMessage());
    }
}
