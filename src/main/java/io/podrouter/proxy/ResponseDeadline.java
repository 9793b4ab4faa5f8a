package io.podrouter.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * When a server connection's response is due ({@code timeouts.server}, from the end of the
 * request to the response head).
 *
 * <p>A timer per request would be scheduled and cancelled once for every request (a task object
 * and two operations on the event loop's timer heap, which at 10,000 requests in flight is deep).
 * Here each request only notes its deadline; one check per connection fires at the earliest
 * deadline it knows of, re-arms itself for the deadline of the request in flight then, and lapses
 * when nothing is due as it fires (the next request arms it again): on a busy connection, one
 * timer task per timeout period instead of one per request.
 */
final class ResponseDeadline {
    private final ChannelHandlerContext ctx;
    private final Runnable passed;
    private final Runnable fire = this::fire;
    private boolean due;
    private long dueAt;
    private long checkAt;
    private ScheduledFuture<?> check;

    /** @param passed what to do when a response was due and has not begun */
    ResponseDeadline(ChannelHandlerContext ctx, Runnable passed) {
        this.ctx = ctx;
        this.passed = passed;
    }

    /** The request has gone to the server: its response must begin within {@code timeoutNanos} (0: never). */
    void start(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        due = true;
        dueAt = now + timeoutNanos;
        if (check != null && checkAt - dueAt > 0) {
            // Armed for later than this deadline (the timeout was shortened by a reload): re-arm.
            check.cancel(false);
            check = null;
        }
        if (check == null) {
            arm(now, dueAt);
        }
    }

    /** Nothing is due any more (the response began, or the request ended). */
    void clear() {
        due = false;
    }

    /** The connection is going away. */
    void stop() {
        due = false;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void arm(long now, long at) {
        checkAt = at;
        check = ctx.executor().schedule(fire, Math.max(0, at - now), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        check = null;
        if (!due || ctx.isRemoved() || !ctx.channel().isOpen()) {
            due = false;
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (now - dueAt >= 0) {
            due = false;
            passed.run();
        } else {
            arm(now, dueAt);
        }
    }
}
