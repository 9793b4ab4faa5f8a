package io.podrouter.listener;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * After an HTTP/2 stream's request became an HTTP/1.1 one: removes the {@code x-http2-*} headers
 * Netty's conversion adds ({@code x-http2-stream-id}, {@code x-http2-scheme}...), so a pod sees the
 * headers it would for the same request over HTTP/1.1. They are the router's business, not the pod's.
 */
@ChannelHandler.Sharable
final class ConversionHeaderRemover extends ChannelInboundHandlerAdapter {
    static final ConversionHeaderRemover INSTANCE = new ConversionHeaderRemover();
    private static final HttpConversionUtil.ExtensionHeaderNames[] NAMES = HttpConversionUtil.ExtensionHeaderNames.values();

    private ConversionHeaderRemover() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            HttpHeaders headers = request.headers();
            for (HttpConversionUtil.ExtensionHeaderNames name : NAMES) {
                headers.remove(name.text());
            }
        }
        ctx.fireChannelRead(msg);
    }
}
