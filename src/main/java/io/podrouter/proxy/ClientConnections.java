package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The open client connections, for a graceful stop: once draining, idle connections close at
 * once and busy ones close after their current response.
 */
public final class ClientConnections {
    /** The user event that tells a client connection to close as soon as it is idle. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private final ChannelGroup channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;

    void add(Channel ch) {
        channels.add(ch);
        if (draining) {
            // Accepted just before the listener closed, and maybe after drain() went through the group.
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DRAIN));
        }
    }

    boolean draining() {
        return draining;
    }

    public int size() {
        return channels.size();
    }

    /**
     * Lets requests in flight finish for up to {@code grace}, then closes what is left.
     *
     * @return the connections that were still busy when the grace period ended
     */
    public int drain(Duration grace) throws InterruptedException {
        draining = true;
        for (Channel ch : channels) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DRAIN));
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!channels.isEmpty() && System.nanoTime() - deadline < 0) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        int left = channels.size();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        return left;
    }
}
