package io.podrouter.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.podrouter.config.HostAndPort;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive connections to one server, kept per event loop: a request takes an idle connection
 * that lives on its own client connection's loop, so neither side ever hands off to another
 * thread and no lock is needed. Every method is called on the event loop it concerns.
 *
 * <p>When the process has no socket to spare ({@link SocketBudget}), a request that holds a slot
 * on this server waits for a connection to it that another request gives back on the same loop
 * ({@link #await}), first come first served, for at most its wait.
 */
public final class UpstreamPool {
    private final ServerAddress address;
    private final Bootstrap bootstrap;
    private final int maxIdle;
    /** The process's: file descriptors are per process, whatever pool or router takes them. */
    private final SocketBudget sockets = SocketBudget.PROCESS;
    private final AtomicInteger open = new AtomicInteger();
    private final FastThreadLocal<OnLoop> onLoop = new FastThreadLocal<>() {
        @Override
        protected OnLoop initialValue() {
            return new OnLoop();
        }
    };

    /** A request waiting for a connection to this server to be given back. */
    public interface Borrower {
        /** Takes {@code ch} from {@code pool}; false when it no longer needs one (the next borrower gets it). */
        boolean borrow(UpstreamPool pool, Channel ch);

        /** No connection came back within its wait. */
        void waitedInVain(UpstreamPool pool);
    }

    /**
     * @param bootstrap a bootstrap with channel type, options and handler set, and no resolver
     *                  ({@link io.netty.resolver.NoopAddressResolverGroup}): the address comes
     *                  resolved. It is cloned once per event loop, with that loop as its group
     */
    public UpstreamPool(ServerAddress address, Bootstrap bootstrap, int maxIdle) {
        this.address = address;
        this.bootstrap = bootstrap;
        this.maxIdle = maxIdle;
    }

    public HostAndPort address() {
        return address.configured();
    }

    /** Where this pool's connections go. */
    public ServerAddress target() {
        return address;
    }

    /** An open idle connection on the calling event loop, most recently used first, or null. */
    public Channel pollIdle() {
        ArrayDeque<Channel> channels = onLoop.get().idle;
        Channel ch;
        while ((ch = channels.pollFirst()) != null) {
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    /** Whether the process may open another connection now (else {@link #await} one). */
    public boolean mayConnect() {
        return sockets.hasRoom();
    }

    /** Opens a new connection on {@code loop}; it is not pooled until {@link #release} is called. */
    public ChannelFuture connect(EventLoop loop) {
        OnLoop here = onLoop.get();
        if (here.bootstrap == null) {
            here.bootstrap = bootstrap.clone(loop);
        }
        InetSocketAddress to = address.current();
        ChannelFuture f = here.bootstrap.connect(to != null ? to
                : InetSocketAddress.createUnresolved(address.configured().host(), address.configured().port()));
        Channel ch = f.channel();
        if (f.isDone() && !f.isSuccess() && !ch.isRegistered() && !ch.closeFuture().isDone()) {
            // No socket was made (out of file descriptors): a placeholder channel that never closes.
            return f;
        }
        open.incrementAndGet();
        here.open++;
        sockets.opened();
        // A connection that the server closes while idle must leave the pool at once. Searched
        // from the tail: the pool is most-recently-used first, so the connections that time out
        // (idle-timeout) are the oldest, and a pool of thousands is not scanned for each.
        ch.closeFuture().addListener(closed -> {
            open.decrementAndGet();
            here.open--;
            sockets.closed();
            here.idle.removeLastOccurrence(ch);
        });
        return to != null ? f : unresolved(f);
    }

    /** A connect to a name that never resolved: it fails with the resolver's reason, not Netty's bare exception. */
    private ChannelFuture unresolved(ChannelFuture f) {
        ChannelPromise failed = f.channel().newPromise();
        f.addListener(done -> {
            f.channel().close();
            failed.setFailure(new UnknownHostException(address.whyNoAddress()));
        });
        return failed;
    }

    /**
     * Returns a connection whose last exchange ended cleanly: to the first request waiting for
     * one, else to the idle pool, else (the pool full) it is closed.
     */
    public void release(Channel ch) {
        OnLoop here = onLoop.get();
        if (!ch.isActive()) {
            ch.close();
            return;
        }
        Waiting w;
        while ((w = here.waiting.pollFirst()) != null) {
            if (w.borrower.borrow(this, ch)) {
                return;
            }
        }
        if (here.idle.size() < maxIdle) {
            here.idle.addFirst(ch);
        } else {
            ch.close();
        }
    }

    /**
     * Lets {@code borrower} wait, on {@code loop} (the calling one), for the next connection given
     * back there, for at most {@code waitNanos}.
     *
     * @return false, and nothing waits, when no connection to this server is open on this loop
     */
    public boolean await(EventLoop loop, Borrower borrower, long waitNanos) {
        OnLoop here = onLoop.get();
        if (here.open == 0) {
            return false;
        }
        // Every borrower waits as long, so the oldest is at the head: one timer, armed for it.
        here.waiting.addLast(new Waiting(borrower, System.nanoTime() + waitNanos));
        if (here.expiry == null) {
            here.expiry = loop.schedule(() -> expire(loop, here), waitNanos, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    private void expire(EventLoop loop, OnLoop here) {
        long now = System.nanoTime();
        Waiting w;
        while ((w = here.waiting.peekFirst()) != null && now - w.deadline >= 0) {
            here.waiting.pollFirst();
            w.borrower.waitedInVain(this);
        }
        here.expiry = w == null ? null : loop.schedule(() -> expire(loop, here), w.deadline - now, TimeUnit.NANOSECONDS);
    }

    /** Connections to this server open now, busy or idle, on every event loop. */
    public int openConnections() {
        return open.get();
    }

    /** One event loop's share: its idle connections, how many are open, who waits for one. */
    private static final class OnLoop {
        final ArrayDeque<Channel> idle = new ArrayDeque<>();
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        /** This pool's bootstrap with this loop as its group. */
        Bootstrap bootstrap;
        int open;
        ScheduledFuture<?> expiry;
    }

    private record Waiting(Borrower borrower, long deadline) {
    }
}
