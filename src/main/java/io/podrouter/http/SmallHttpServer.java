package io.podrouter.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.function.Supplier;

/**
 * The plumbing of the router's small HTTP servers (admin API, reference directory, demo pods):
 * whole requests and whole responses of a few KiB, keep-alive honoured. Not the proxy's path.
 */
public final class SmallHttpServer {
    private SmallHttpServer() {
    }

    /**
     * Listens on {@code host:port}; each connection gets the codec, an aggregator of requests up to
     * {@code maxRequestBytes}, and a new handler from {@code handler} that receives {@link FullHttpRequest}s.
     */
    public static Channel bind(String host, int port, EventLoopGroup group, Class<? extends ServerChannel> channelType,
                               int maxRequestBytes, Supplier<ChannelHandler> handler) throws InterruptedException {
        return bind(host, port, group, channelType, maxRequestBytes, null, handler);
    }

    /** As above, with {@code first} (when not null) giving a handler that sees the raw bytes before the codec. */
    public static Channel bind(String host, int port, EventLoopGroup group, Class<? extends ServerChannel> channelType,
                               int maxRequestBytes, Supplier<ChannelHandler> first, Supplier<ChannelHandler> handler)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        if (first != null) {
                            c.pipeline().addLast(first.get());
                        }
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(maxRequestBytes), handler.get());
                    }
                })
                .bind(host, port).sync().channel();
    }

    /** Answers {@code request}, closing the connection afterwards unless the request keeps it alive. */
    public static void reply(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                             String contentType, byte[] body) {
        reply(ctx, request, response(status, contentType, body));
    }

    /** A complete response, for callers that add headers before {@link #reply(ChannelHandlerContext, FullHttpRequest, FullHttpResponse)}. */
    public static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    public static void reply(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        if (HttpUtil.isKeepAlive(request)) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
