package io.podrouter.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One timer for two timeouts of an HTTP/1 connection: the connection closes once it has had no
 * request in flight for one (a client connection between requests, a server connection in its
 * pool), and the owner hears when the peer has sent nothing for the other (a client that stops
 * sending its body, a server that stops sending its response). A server connection's third, the
 * wait for a response to begin, is {@link ResponseDeadline}'s.
 *
 * <p>Netty's IdleStateHandler would watch the silence as a handler of its own, with its own timer,
 * and the idle time by watching every write, which turns each void write promise into a real one
 * with a listener. At 10,000 connections that handler, its context and its timer were about 250
 * bytes a connection in the old generation, and a pipeline step for every read and write
 * (bench/RESULTS.md). Here the owner notes the time when the connection goes idle and when a read
 * ends, and one check per connection fires at the earliest moment either timeout could be due,
 * re-arming itself when it was not.
 *
 * <p>The owner subclasses it (an anonymous class in the connection's last handler) rather than
 * passing three callbacks: one object a connection instead of four.
 */
abstract class ConnectionTimer {
    private final ChannelHandlerContext ctx;
    private final long idleNanos;
    private final long silenceNanos;
    private long idleSince;
    private long lastRead;
    private ScheduledFuture<?> check;

    /**
     * @param idleMillis how long the connection may have no request in flight before {@link #expired()}; 0: for ever
     * @param silenceMillis how long the peer may send nothing before {@link #silent()} (and again
     *                      after each further such time); 0: for ever
     */
    ConnectionTimer(ChannelHandlerContext ctx, long idleMillis, long silenceMillis) {
        this.ctx = ctx;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        this.silenceNanos = TimeUnit.MILLISECONDS.toNanos(silenceMillis);
    }

    /** Whether the connection has no request in flight now. */
    abstract boolean idle();

    /** The connection has been idle for its idle timeout (the timer has stopped). */
    abstract void expired();

    /** The peer has sent nothing for the silence timeout; the owner knows whether that matters now. */
    abstract void silent();

    /** Starts timing, counting the connection idle and silent from now. */
    void start() {
        long now = System.nanoTime();
        idleSince = now;
        lastRead = now;
        if (check == null) {
            long first = earliest(idleNanos, silenceNanos);
            if (first > 0) {
                arm(first);
            }
        }
    }

    /** The connection's last request has ended: it counts as idle from now. */
    void wentIdle() {
        idleSince = System.nanoTime();
    }

    /** The peer's bytes were read (once per read, at its end): it counts as silent from now. */
    void readEnded() {
        if (silenceNanos > 0) {
            lastRead = System.nanoTime();
        }
    }

    void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void arm(long delayNanos) {
        check = ctx.executor().schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        if (check == null || ctx.isRemoved() || !ctx.channel().isOpen()) {
            check = null;
            return;
        }
        long now = System.nanoTime();
        long idleWait = 0;
        if (idleNanos > 0) {
            if (idle()) {
                long idleFor = now - idleSince;
                if (idleFor >= idleNanos) {
                    check = null;
                    expired();
                    return;
                }
                idleWait = idleNanos - idleFor;
            } else {
                idleWait = idleNanos; // busy: the soonest it could expire is a whole timeout after it ends
            }
        }
        long silenceWait = 0;
        if (silenceNanos > 0) {
            long silentFor = now - lastRead;
            if (silentFor >= silenceNanos) {
                lastRead = now; // the next report comes after another whole period of silence
                silentFor = 0;
                silent();
                if (check == null || !ctx.channel().isOpen()) {
                    return; // stopped, or closed by what the silence ended
                }
            }
            silenceWait = silenceNanos - silentFor;
        }
        arm(earliest(idleWait, silenceWait));
    }

    /** The smaller of two waits, where 0 means none. */
    private static long earliest(long a, long b) {
        if (a == 0) {
            return b;
        }
        return b == 0 ? a : Math.min(a, b);
    }
}
