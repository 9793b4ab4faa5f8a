package io.podrouter.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.backend.ServerAddress;
import io.podrouter.backend.UpstreamPool;
import io.podrouter.config.CacheConfig;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.LimitsConfig;
import io.podrouter.config.RoutingConfig;
import io.podrouter.config.TimeoutsConfig;
import io.podrouter.config.UnknownRoute;
import io.podrouter.config.WarmStartConfig;
import io.podrouter.routing.RequestRouter;
import io.podrouter.routing.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod of one server whose connections are {@link EmbeddedChannel}s put in its pool beforehand,
 * so that a request relayed to it runs on the test's thread, without sockets. Each connection's
 * pipeline is the real one's but for its codec, which passes HTTP objects through as they are.
 */
final class EmbeddedPod implements AutoCloseable {
    static final String HOST = "t.example";

    final UpstreamPool pool = new UpstreamPool(ServerAddress.of(new HostAndPort("127.0.0.1", 9)), new Bootstrap(), 16);
    final Server server = new Server(new HostAndPort("127.0.0.1", 9), pool);
    final Pod pod = new Pod("p", List.of(server));
    final RequestMetrics metrics = new RequestMetrics();
    final ClientConnections connections = new ClientConnections();
    final ProxySettings settings;
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    EmbeddedPod() {
        RoutingConfig routing = new RoutingConfig("host", null, List.of(), UnknownRoute.NOT_FOUND, null,
                CacheConfig.DEFAULTS, false, null, WarmStartConfig.DEFAULTS);
        RequestRouter router = new RequestRouter(new RouteTable(List.of(pod), Map.of(HOST, pod), null), null, routing);
        settings = new ProxySettings(router, TimeoutsConfig.DEFAULTS, List.of(), connections, metrics, null,
                LimitsConfig.DEFAULTS);
    }

    /** A new idle connection in the server's pool: the next request takes it. */
    EmbeddedChannel idleConnection() {
        return idleConnection(0);
    }

    /** The same, where the server may be silent for {@code silenceMillis} within a response (0: for ever). */
    EmbeddedChannel idleConnection(long silenceMillis) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline()
                .addLast(PipelineNames.HTTP_CODEC, new ChannelDuplexHandler())
                .addLast(PipelineNames.UPSTREAM, new UpstreamHandler(10_000, silenceMillis));
        pool.release(ch);
        channels.add(ch);
        return ch;
    }

    /** A client connection with {@code handlers}, closed (and its messages released) by {@link #close()}. */
    EmbeddedChannel channel(io.netty.channel.ChannelHandler... handlers) {
        EmbeddedChannel ch = new EmbeddedChannel(handlers);
        channels.add(ch);
        return ch;
    }

    /** Reads and releases what {@code ch} wrote; returns how many messages there were. */
    static int drainOutbound(EmbeddedChannel ch) {
        int n = 0;
        Object msg;
        while ((msg = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(msg);
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        while (pool.pollIdle() != null) {
            // emptied: the pool's idle list lives with the test's thread
        }
    }
}
