package io.podrouter.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.podrouter.config.HostAndPort;
import io.podrouter.proxy.ProxySettings;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/** One bound listening socket whose connections are proxied. */
public final class ProxyListener {
    private final HostAndPort configured;
    private final Channel channel;

    private ProxyListener(HostAndPort configured, Channel channel) {
        this.configured = configured;
        this.channel = channel;
    }

    /** The address as configured (port 0 included), to match listeners across reloads. */
    public HostAndPort configured() {
        return configured;
    }

    /** @param settings the current settings, read as each connection and each request starts */
    public static ProxyListener bind(HostAndPort address, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                                     Supplier<ProxySettings> settings) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ClientChannelInitializer(settings));
        Channel ch = b.bind(address.host(), address.port()).sync().channel();
        return new ProxyListener(address, ch);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    public void close() {
        channel.close().syncUninterruptibly();
    }
}
