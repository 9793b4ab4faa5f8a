package io.podrouter.listener;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.podrouter.config.TransportChoice;

/**
 * The I/O transport. By default the fastest that loads here: io_uring (Linux x86_64, where the
 * kernel allows it: 9-15% more requests per CPU-second than epoll at the hot load, measured in
 * bench/RESULTS.md), then native epoll, then Java NIO.
 *
 * @param fallback why a faster transport was not taken (for the startup line), or null
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerSocketChannel> serverChannel,
                        Class<? extends SocketChannel> socketChannel, String fallback) {

    /** The fastest transport that loads here. */
    public static Transport best() {
        return of(TransportChoice.AUTO);
    }

    /**
     * The transport asked for.
     *
     * @throws IllegalStateException when a transport named explicitly does not load here
     */
    public static Transport of(TransportChoice choice) {
        return switch (choice) {
            case AUTO -> {
                if (IoUring.isAvailable()) {
                    yield ioUring(null);
                }
                String why = "io_uring is not available: " + reason(IoUring.unavailabilityCause());
                yield Epoll.isAvailable() ? epoll(why) : nio(why + "; epoll is not available: " + reason(Epoll.unavailabilityCause()));
            }
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("transport io_uring is not available here: "
                            + reason(IoUring.unavailabilityCause()) + " (transport: auto takes the next one that loads)");
                }
                yield ioUring(null);
            }
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("transport epoll is not available here: "
                            + reason(Epoll.unavailabilityCause()) + " (transport: auto takes the next one that loads)");
                }
                yield epoll(null);
            }
            case NIO -> nio(null);
        };
    }

    /**
     * Completion queue entries per event loop, unless {@code -Dio.netty.iouring.cqSize} says
     * otherwise. Netty's 4,096 overflow when thousands of connections have news at once (10,000
     * clients closing together): nothing is lost, the kernel holds the excess, but Netty warns each
     * time. An entry costs more than the ring's 16 bytes: Netty keeps a ByteBuffer object per entry
     * on the heap. Measured (bench/RESULTS.md), with every ring at this size: against 4,096, 49,000
     * more heap objects, 8 MiB more resident memory at start and 1.5-2% more requests per
     * CPU-second at hot; 65,536 cost 22 MiB more. So only the client loops' rings (which also
     * accept: ProxyListener) are this large ({@link #newQuietGroup}).
     */
    private static final int COMPLETION_QUEUE_SIZE = 16_384;

    private static Transport ioUring(String fallback) {
        IoUringIoHandlerConfig config = new IoUringIoHandlerConfig();
        if (System.getProperty("io.netty.iouring.cqSize") == null) {
            config.setCqSize(Math.max(config.getCqSize(), COMPLETION_QUEUE_SIZE));
        }
        return new Transport("io_uring", IoUringIoHandler.newFactory(config), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class, fallback);
    }

    private static Transport epoll(String fallback) {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, fallback);
    }

    private static Transport nio(String fallback) {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class,
                fallback);
    }

    private static String reason(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause.getMessage()) : cause.getMessage() + " (" + root.getMessage() + ")";
    }

    /** The name, and why a faster one was not taken: for the startup line. */
    public String description() {
        return fallback == null ? name : name + " (" + fallback + ")";
    }

    /**
     * Whether sockets bound to one port with SO_REUSEPORT share its connections out among
     * themselves: Linux's native transports do (the kernel hashes each connection to one of the
     * sockets); NIO is the fallback for other systems, where the option does not spread them.
     */
    public boolean spreadsSharedPorts() {
        return serverChannel == IoUringServerSocketChannel.class || serverChannel == EpollServerSocketChannel.class;
    }

    public EventLoopGroup newGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, false), ioHandlerFactory);
    }

    /**
     * One event loop for a few connections (the directory's, the admin API's): with io_uring, its
     * ring is Netty's default size. The larger completion queue is for the loops that accept and
     * serve the clients; here it would only hold 12,000 more heap objects (see above).
     */
    public EventLoopGroup newQuietGroup(String threadPrefix) {
        IoHandlerFactory factory = ioHandlerFactory;
        if (IoUring.isAvailable() && serverChannel == IoUringServerSocketChannel.class) {
            factory = IoUringIoHandler.newFactory();
        }
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadPrefix, false), factory);
    }
}
