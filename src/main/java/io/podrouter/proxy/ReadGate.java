package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;

/**
 * Whether one channel reads, and why not. Every pause of a proxied connection's reads goes through
 * here, with its reason, so that reads resume only when no reason is left: a read paused for a
 * queue must not resume because the other side became writable, nor the reverse (either mistake
 * is a request body buffered without bound, or a connection that never reads again).
 *
 * <p>The other side's writability is what pauses reads (the write-buffer watermarks below decide
 * it), never a channel's own: with large bodies going both ways that would deadlock.
 */
final class ReadGate {
    /**
     * When a channel stops being writable (above 64 KiB queued) and becomes writable again (below
     * 32 KiB). Set here, on every channel that has a gate (Netty's defaults are the same; they are
     * stated because these numbers are what pause the other side's reads), and nowhere else.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    /** Something this connection sent waits in its handler's queue. */
    static final int QUEUE = 1;
    /** The connection on the other side cannot take more. */
    static final int PEER = 2;

    private final Channel channel;
    private int reasons;
    private boolean shut;
    private long pauses;

    /**
     * Made once per channel by the handler that owns it (FrontendHandler, UpstreamHandler), which
     * hands it to whatever else pauses the channel's reads (the exchange, a tunnel).
     */
    ReadGate(Channel channel) {
        this.channel = channel;
        channel.config().setWriteBufferWaterMark(WATER_MARK);
    }

    void pause(int reason) {
        if (reasons == 0) {
            channel.config().setAutoRead(false);
            pauses++;
        }
        reasons |= reason;
    }

    void resume(int reason) {
        if ((reasons & reason) == 0) {
            return;
        }
        reasons &= ~reason;
        if (reasons == 0 && !shut) {
            channel.config().setAutoRead(true);
        }
    }

    /** Nothing is read here any more (the connection is closing): no reason's end resumes reads. */
    void shut() {
        shut = true;
    }

    /** Forgets every reason and reads again (the connection changes hands: a pool, a tunnel). */
    void open() {
        reasons = 0;
        shut = false;
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    boolean paused() {
        return reasons != 0;
    }

    /** How many times reads were paused on this channel (what backpressure tests assert on). */
    long pauses() {
        return pauses;
    }
}
