package io.podrouter.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.ListenerConfig;
import org.slf4j.LoggerFactory;
import io.podrouter.proxy.ProxySettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.util.function.Supplier;

/** One bound listening socket whose connections are proxied. */
public final class ProxyListener {
    private final ListenerConfig configured;
    private final Channel channel;
    private final CertificateStore certificates;

    private ProxyListener(ListenerConfig configured, Channel channel, CertificateStore certificates) {
        this.configured = configured;
        this.channel = channel;
        this.certificates = certificates;
    }

    /** The listener as configured (port 0 included), to match listeners across reloads. */
    public ListenerConfig configured() {
        return configured;
    }

    /**
     * A listener with everything that can fail but the bind done: its TLS certificates loaded and
     * checked. A reload prepares every new listener before it binds any.
     */
    public static final class Prepared {
        private final ListenerConfig config;
        private final CertificateStore certificates;

        private Prepared(ListenerConfig config, CertificateStore certificates) {
            this.config = config;
            this.certificates = certificates;
        }

        public ListenerConfig config() {
            return config;
        }

        /** Gives up a prepared listener that will not be bound. */
        public void discard() {
            if (certificates != null) {
                certificates.close();
            }
        }
    }

    /** Loads the listener's certificates (a file that is missing or no certificate fails here). */
    public static Prepared prepare(ListenerConfig config) throws IOException, CertificateException {
        return new Prepared(config, config.tls() == null ? null : new CertificateStore(config.tls()));
    }

    /** @param settings the current settings, read as each connection and each request starts */
    public static ProxyListener bind(ListenerConfig config, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                                     Supplier<ProxySettings> settings) throws Exception {
        return bind(prepare(config), transport, boss, workers, settings);
    }

    /** Binds a prepared listener; when the bind fails, the prepared listener is discarded. */
    public static ProxyListener bind(Prepared prepared, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                                     Supplier<ProxySettings> settings) throws Exception {
        ListenerConfig config = prepared.config;
        HostAndPort address = config.bind();
        CertificateStore certificates = prepared.certificates;
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ClientChannelInitializer(settings, certificates,
                        config.tls() != null && config.tls().requireHostMatch(), config.h2c()));
        Channel ch;
        try {
            ch = b.bind(address.host(), address.port()).sync().channel();
        } catch (Exception e) {
            prepared.discard();
            throw e;
        }
        if (certificates != null) {
            LoggerFactory.getLogger(ProxyListener.class).info("TLS on {} with {}", ch.localAddress(), certificates.providerName());
        }
        return new ProxyListener(config, ch, certificates);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    public void close() {
        if (certificates != null) {
            certificates.close();
        }
        channel.close().syncUninterruptibly();
    }
}
