package io.podrouter.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.podrouter.config.HostAndPort;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive connections to one server, kept per event loop: a request takes an idle connection
 * that lives on its own client connection's loop, so neither side ever hands off to another
 * thread and no lock is needed. Every method is called on the event loop it concerns.
 */
public final class UpstreamPool {
    private final HostAndPort address;
    private final Bootstrap bootstrap;
    private final int maxIdle;
    private final AtomicInteger open = new AtomicInteger();
    private final FastThreadLocal<ArrayDeque<Channel>> idle = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<Channel> initialValue() {
            return new ArrayDeque<>();
        }
    };

    /**
     * @param bootstrap a bootstrap with channel type, options and handler set; it is cloned per
     *                  connect with the caller's event loop as group
     */
    public UpstreamPool(HostAndPort address, Bootstrap bootstrap, int maxIdle) {
        this.address = address;
        this.bootstrap = bootstrap;
        this.maxIdle = maxIdle;
    }

    public HostAndPort address() {
        return address;
    }

    /** An open idle connection on the calling event loop, most recently used first, or null. */
    public Channel pollIdle() {
        ArrayDeque<Channel> channels = idle.get();
        Channel ch;
        while ((ch = channels.pollFirst()) != null) {
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    /** Opens a new connection on {@code loop}; it is not pooled until {@link #release} is called. */
    public ChannelFuture connect(EventLoop loop) {
        ChannelFuture f = bootstrap.clone(loop).connect(address.host(), address.port());
        Channel ch = f.channel();
        open.incrementAndGet();
        // A connection that the server closes while idle must leave the pool at once. Searched
        // from the tail: the pool is most-recently-used first, so the connections that time out
        // (idle-timeout) are the oldest, and a pool of thousands is not scanned for each.
        ch.closeFuture().addListener(closed -> {
            open.decrementAndGet();
            idle.get().removeLastOccurrence(ch);
        });
        return f;
    }

    /** Returns a connection whose last exchange ended cleanly; closes it when the pool is full. */
    public void release(Channel ch) {
        ArrayDeque<Channel> channels = idle.get();
        if (ch.isActive() && channels.size() < maxIdle) {
            channels.addFirst(ch);
        } else {
            ch.close();
        }
    }

    /** Connections to this server open now, busy or idle, on every event loop. */
    public int openConnections() {
        return open.get();
    }
}
