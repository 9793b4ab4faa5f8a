package io.podrouter.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.UnixChannelOption;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.ListenerConfig;
import org.slf4j.LoggerFactory;
import io.podrouter.proxy.ProxySettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** One configured listener, bound: its listening sockets (one per event loop, see bind) and their TLS. */
public final class ProxyListener {
    private final ListenerConfig configured;
    private final List<Channel> channels;
    private final CertificateStore certificates;

    private ProxyListener(ListenerConfig configured, List<Channel> channels, CertificateStore certificates) {
        this.configured = configured;
        this.channels = channels;
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
    public static ProxyListener bind(ListenerConfig config, Transport transport, EventLoopGroup workers,
                                     Supplier<ProxySettings> settings) throws Exception {
        return bind(prepare(config), transport, workers, settings);
    }

    /**
     * Binds a prepared listener; when the bind fails, the prepared listener is discarded.
     *
     * <p>Each event loop accepts its own connections: where the kernel spreads a port's
     * connections over the sockets bound to it (epoll, io_uring), every loop gets a listening
     * socket of its own on the port, and a connection is registered on the loop that accepted it,
     * at once. No acceptor thread stands in between, with its own ring and a hand-off through the
     * loop's task queue for every connection: without them podrouter is about 5 MiB smaller at the hot
     * load and 15 at c10k, at the same requests/s and p99 (bench/RESULTS.md). Elsewhere
     * (NIO, or one loop) one socket on one of the loops accepts.
     */
    public static ProxyListener bind(Prepared prepared, Transport transport, EventLoopGroup workers,
                                     Supplier<ProxySettings> settings) throws Exception {
        ListenerConfig config = prepared.config;
        HostAndPort address = config.bind();
        CertificateStore certificates = prepared.certificates;
        ClientChannelInitializer initializer = new ClientChannelInitializer(settings, certificates,
                config.tls() != null && config.tls().requireHostMatch(), config.h2c());
        List<EventLoop> loops = new ArrayList<>();
        workers.forEach(e -> loops.add((EventLoop) e));
        List<Channel> channels = new ArrayList<>();
        try {
            if (loops.size() == 1 || !transport.spreadsSharedPorts()) {
                channels.add(bootstrap(transport, workers, initializer).bind(address.host(), address.port()).sync().channel());
            } else {
                int port = freePort(address);
                for (EventLoop loop : loops) {
                    channels.add(bootstrap(transport, loop, initializer).option(UnixChannelOption.SO_REUSEPORT, true)
                            .bind(address.host(), port).sync().channel());
                }
            }
        } catch (Exception e) {
            channels.forEach(c -> c.close().syncUninterruptibly());
            prepared.discard();
            throw e;
        }
        if (certificates != null) {
            LoggerFactory.getLogger(ProxyListener.class).info("TLS on {} with {}", channels.get(0).localAddress(),
                    certificates.providerName());
        }
        return new ProxyListener(config, channels, certificates);
    }

    private static ServerBootstrap bootstrap(Transport transport, EventLoopGroup group, ClientChannelInitializer initializer) {
        return new ServerBootstrap()
                .group(group, group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(initializer);
    }

    /**
     * The port to share among the loops' sockets, found free by binding it alone first: a port
     * that another process listens on, with SO_REUSEPORT or without, fails here as it would for a
     * single socket, instead of being shared with it (port 0 becomes the port the kernel picks).
     */
    private static int freePort(HostAndPort address) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(address.host(), address.port()));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    public void close() {
        if (certificates != null) {
            certificates.close();
        }
        channels.forEach(c -> c.close().syncUninterruptibly());
    }
}
