package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The open client connections, for a graceful stop: once stopping, idle connections close at
 * once and busy ones close after their current response.
 */
public final class ClientConnections {
    /** The user event that tells a client connection to close as soon as it is idle. */
    static final Object CLOSE_IF_IDLE = new Object() {
        @Override
        public String toString() {
            return "CLOSE_IF_IDLE";
        }
    };

    private final ChannelGroup channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    /** The router is stopping: connections close once idle, responses keep nothing alive. */
    private volatile boolean stopping;

    void add(Channel ch) {
        channels.add(ch);
        if (stopping) {
            // Accepted just before the listener closed, and maybe after drain() went through the group.
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(CLOSE_IF_IDLE));
        }
    }

    boolean stopping() {
        return stopping;
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
        stopping = true;
        for (Channel ch : channels) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(CLOSE_IF_IDLE));
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
