package io.podrouter.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.LimitsConfig;
import io.podrouter.config.TimeoutsConfig;
import io.podrouter.proxy.ProxySettings;
import java.net.InetSocketAddress;

/** One bound listening socket whose connections are proxied. */
public final class ProxyListener {
    private final Channel channel;

    private ProxyListener(Channel channel) {
        this.channel = channel;
    }

    public static ProxyListener bind(HostAndPort address, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                                     ProxySettings settings, LimitsConfig limits, TimeoutsConfig timeouts)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ClientChannelInitializer(settings, limits, timeouts));
        Channel ch = b.bind(address.host(), address.port()).sync().channel();
        return new ProxyListener(ch);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    public void close() {
        channel.close().syncUninterruptibly();
    }
}
