package io.podrouter.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Closes a keep-alive connection that has had no request in flight for a given time (a client
 * connection between requests, a server connection in its pool).
 *
 * <p>Netty's IdleStateHandler would do it by watching every write, which turns each void write
 * promise into a real one with a listener: an allocation and a callback per write on the hot
 * path. Here the owner only notes the time when the connection goes idle, and one check per
 * connection fires at the earliest moment the timeout could be due and re-arms itself when the
 * connection was busy meanwhile.
 */
final class IdleConnectionTimer {
    private final ChannelHandlerContext ctx;
    private final long timeoutNanos;
    private final BooleanSupplier idle;
    private final Runnable expire;
    private long idleSince;
    private ScheduledFuture<?> check;

    /**
     * @param idle whether the connection has no request in flight now
     * @param expire what to do once it has been idle for {@code timeoutMillis}
     */
    IdleConnectionTimer(ChannelHandlerContext ctx, long timeoutMillis, BooleanSupplier idle, Runnable expire) {
        this.ctx = ctx;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.idle = idle;
        this.expire = expire;
    }

    /** Starts timing, counting the connection idle from now. Does nothing for a timeout of 0 (never). */
    void start() {
        idleSince = System.nanoTime();
        if (timeoutNanos > 0 && check == null) {
            arm(timeoutNanos);
        }
    }

    /** The connection's last request has ended: it counts as idle from now. */
    void wentIdle() {
        idleSince = System.nanoTime();
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
        long wait = timeoutNanos;
        if (idle.getAsBoolean()) {
            long idleFor = System.nanoTime() - idleSince;
            if (idleFor >= timeoutNanos) {
                check = null;
                expire.run();
                return;
            }
            wait = timeoutNanos - idleFor;
        }
        arm(wait);
    }
}
