package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.backend.UpstreamPool;

/**
 * The server side of an {@link Exchange}: a slot on one of its pod's servers, then a connection
 * to that server (an idle one from the server's pool, else a new one on the exchange's event
 * loop), each given back once. What is sent and what the answers mean is the exchange's; this
 * only holds the server and the connection. (A superclass rather than a field, so that a request
 * still costs one object.)
 */
abstract class ServerLeg implements Pod.Waiter, UpstreamPool.Borrower {
    final Pod pod;
    private final String key;
    private final EventLoop loop;
    Server server;
    /** The server holds a request slot for this exchange until {@link #releaseSlot()}. */
    private boolean holdsSlot;
    /** The server connection came from the idle pool (it may have been closed by the server meanwhile). */
    boolean reusedConnection;
    /** The next connection is a new one, not an idle one (the retry after a reused connection closed under the request). */
    boolean freshConnection;
    Channel upstream;
    UpstreamHandler upstreamHandler;
    ReadGate upstreamGate;

    /** @param key the routing key, for a pod that balances by it; else null */
    ServerLeg(Pod pod, String key, EventLoop loop) {
        this.pod = pod;
        this.key = key;
        this.loop = loop;
    }

    /** The exchange has ended: what arrives from now on is given back at once. */
    abstract boolean ended();

    /** A server slot was granted; a connection to it is being taken. */
    abstract void serverGranted();

    /** {@link #upstream} is the connection to {@link #server}, ready for the request. */
    abstract void attached();

    /** No connection to {@link #server} could be opened. */
    abstract void connectFailed(Throwable cause);

    /** How long the request may wait for a connection when the process has no socket to spare. */
    abstract long connectionWaitNanos();

    /** Takes a slot on a server, avoiding {@code avoid} (null: none) when another will do. */
    final void takeServer(Server avoid) {
        Server s = pod.acquire(key, avoid, loop, this);
        if (s != null) {
            granted(s);
        }
    }

    @Override
    public final void granted(Server granted) {
        if (ended()) {
            pod.release(granted);
            return;
        }
        server = granted;
        holdsSlot = true;
        serverGranted();
        Channel idle = freshConnection ? null : server.pool().pollIdle();
        if (idle != null) {
            reusedConnection = true;
            use(idle);
            return;
        }
        reusedConnection = false;
        if (!server.pool().mayConnect()) {
            awaitConnection();
            return;
        }
        Server connectingTo = server;
        ChannelFuture connecting = server.pool().connect(loop);
        if (connecting.isDone()) {
            connected(connectingTo, connecting);
        } else {
            connecting.addListener((ChannelFuture f) -> connected(connectingTo, f));
        }
    }

    private void connected(Server to, ChannelFuture f) {
        if (ended() || to != server) {
            // The exchange ended while we connected: keep the fresh connection for the next request.
            if (f.isSuccess()) {
                to.pool().release(f.channel());
            }
            return;
        }
        if (f.isSuccess()) {
            use(f.channel());
        } else if (f.cause() instanceof ChannelException) {
            // No socket could be made here (out of file descriptors): not the server's fault, so
            // it is not marked down, and another server would fare no better.
            awaitConnection();
        } else {
            connectFailed(f.cause());
        }
    }

    /** No socket to spare: the request takes the next connection to its server given back on this loop. */
    private void awaitConnection() {
        if (!server.pool().await(loop, this, connectionWaitNanos())) {
            refused(Pod.Refusal.NO_SOCKET);
        }
    }

    /** Whether this leg still waits for a connection from {@code pool}. */
    private boolean waitsOn(UpstreamPool pool) {
        return !ended() && upstream == null && server != null && server.pool() == pool;
    }

    @Override
    public final boolean borrow(UpstreamPool pool, Channel ch) {
        if (!waitsOn(pool)) {
            return false;
        }
        reusedConnection = true;
        use(ch);
        return true;
    }

    @Override
    public final void waitedInVain(UpstreamPool pool) {
        if (waitsOn(pool)) {
            refused(Pod.Refusal.NO_SOCKET);
        }
    }

    private void use(Channel ch) {
        upstream = ch;
        upstreamHandler = (UpstreamHandler) ch.pipeline().get(PipelineNames.UPSTREAM);
        upstreamGate = upstreamHandler.readGate();
        attached();
    }

    /**
     * Gives back whatever the exchange holds on the server side: the connection (to the pool when
     * {@code reuseUpstream}, else closed), its place in the pod's queue, its slot.
     */
    final void releaseServer(boolean reuseUpstream) {
        if (upstream != null) {
            releaseUpstream(reuseUpstream);
        }
        if (server == null) {
            pod.cancel(this);
        }
        releaseSlot();
    }

    /** Gives back the server and its connection so that the request can take another; returns the one it had. */
    final Server releaseForRetry() {
        Server failed = server;
        if (upstream != null) {
            releaseUpstream(false);
        }
        releaseSlot();
        server = null;
        return failed;
    }

    /** The connection stops serving the exchange (it becomes a tunnel's); the slot is given back. */
    final void handOver() {
        upstreamHandler.unbind();
        releaseSlot();
    }

    private void releaseUpstream(boolean reusable) {
        upstreamHandler.unbind();
        upstreamGate.open();
        Channel ch = upstream;
        upstream = null;
        if (reusable) {
            server.pool().release(ch);
        } else {
            ch.close();
        }
    }

    private void releaseSlot() {
        if (holdsSlot) {
            holdsSlot = false;
            pod.release(server);
        }
    }
}
