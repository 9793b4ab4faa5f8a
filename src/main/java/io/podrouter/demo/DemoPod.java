package io.podrouter.demo;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.podrouter.http.SmallHttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A demo application server: answers every request with its pod's name, the Host and the path. */
public final class DemoPod implements AutoCloseable {
    private final String name;
    private final Channel channel;

    private DemoPod(String name, Channel channel) {
        this.name = name;
        this.channel = channel;
    }

    public static DemoPod start(String name, String host, int port, EventLoopGroup group,
                                Class<? extends ServerChannel> channelType) throws InterruptedException {
        Channel ch = SmallHttpServer.bind(host, port, group, channelType, 1 << 20, () -> new Handler(name));
        return new DemoPod(name, ch);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final String name;

        Handler(String name) {
            this.name = name;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String text = name + " answered: Host=" + request.headers().get(HttpHeaderNames.HOST)
                    + " path=" + request.uri() + "\n";
            SmallHttpServer.reply(ctx, request, HttpResponseStatus.OK, "text/plain; charset=utf-8",
                    text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
