package io.podrouter.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.podrouter.proxy.FrontendHandler;
import io.podrouter.proxy.PipelineNames;
import io.podrouter.proxy.ProxySettings;
import java.util.function.Supplier;

/**
 * After the TLS handshake: a client that chose {@code h2} by ALPN gets HTTP/2, each stream its own
 * child channel running the same {@link FrontendHandler} as an HTTP/1.1 connection (so each
 * stream is one exchange with the HTTP/1.1 pools, with per-stream flow control); anything else
 * keeps the HTTP/1.1 pipeline as built.
 */
final class ProtocolNegotiation extends ApplicationProtocolNegotiationHandler {
    static final int MAX_CONCURRENT_STREAMS = 100;
    private static final Logger log = LoggerFactory.getLogger(ProtocolNegotiation.class);

    private final Supplier<ProxySettings> settings;
    private final boolean requireHostMatch;

    ProtocolNegotiation(Supplier<ProxySettings> settings, boolean requireHostMatch) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.settings = settings;
        this.requireHostMatch = requireHostMatch;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            switchToHttp2(ctx.pipeline(), settings, true, requireHostMatch);
        }
    }

    /** Replaces the HTTP/1.1 handlers of a client connection with HTTP/2 ones. */
    static void switchToHttp2(ChannelPipeline p, Supplier<ProxySettings> settings, boolean tls, boolean requireHostMatch) {
        p.remove(PipelineNames.FRONTEND);
        p.remove(PipelineNames.HTTP_CODEC);
        // An HTTP/2 connection is idle when it has no stream: IdleConnectionCloser below decides, on ALL_IDLE.
        var timeouts = settings.get().timeouts();
        p.addLast(PipelineNames.IDLE, new IdleStateHandler(timeouts.client().toMillis(), 0,
                timeouts.keepAlive().toMillis(), TimeUnit.MILLISECONDS));
        // Netty's HTTP/2 codec guards against RST and control-frame floods by default (RFC 9113 attacks).
        Http2FrameCodec codec = ClientHttp2Codec.build(MAX_CONCURRENT_STREAMS, settings.get().limits().maxHeaderSize());
        p.addLast(PipelineNames.HTTP2_CODEC, codec);
        p.addLast(PipelineNames.HTTP2_STREAMS, new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline()
                        .addLast(PipelineNames.HTTP2_STREAM_ERRORS, StreamErrorHandler.INSTANCE)
                        .addLast(PipelineNames.HTTP_CODEC, new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast(PipelineNames.HTTP2_CONVERSION, ConversionHeaderRemover.INSTANCE)
                        .addLast(PipelineNames.FRONTEND, new FrontendHandler(settings, tls, requireHostMatch));
            }
        }));
        p.addLast(PipelineNames.HTTP2_IDLE, new IdleConnectionCloser(codec));
    }

    /**
     * Last on an HTTP/2 connection: closes it when it has had no stream for the keep-alive timeout,
     * and when it fails (a reset, say), with one line of log instead of Netty's warning and trace.
     */
    private static final class IdleConnectionCloser extends ChannelInboundHandlerAdapter {
        private final Http2FrameCodec codec;

        IdleConnectionCloser(Http2FrameCodec codec) {
            this.codec = codec;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.ALL_IDLE
                    && codec.connection().numActiveStreams() == 0) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof IOException) {
                log.debug("HTTP/2 client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            } else if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
                // A connection error: the codec sends GOAWAY with its code, then closes; closing first would send NO_ERROR.
                log.info("HTTP/2 client connection {} broke the protocol: {}", ctx.channel().remoteAddress(), cause.getMessage());
                return;
            } else {
                log.info("closing HTTP/2 client connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
        }
    }
}
