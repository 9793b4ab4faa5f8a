package io.podrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.podrouter.config.PoolConfig;
import io.podrouter.listener.ClientChannelInitializer;
import io.podrouter.config.TimeoutsConfig;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One proxied HTTP/1.1 request through the real relay, without sockets: request bytes into a
 * client connection, the relayed request out of a pooled keep-alive server connection, the
 * server's response bytes into it, and the response bytes out of the client connection. Both
 * connections are {@link EmbeddedChannel}s with the real pipelines, and both are reused from one
 * request to the next, as on a hot proxy. Run with {@code mvn -Pjmh test-compile exec:exec
 * -Djmh.args="ProxiedRequestBenchmark -prof gc"}: gc.alloc.rate.norm is the bytes allocated per
 * proxied request.
 *
 * <p>The benchmark runs on a thread like an event loop's ({@link EventLoopThreads}): on any other
 * thread Netty's Recycler pools nothing, and every buffer and write would count objects that a
 * proxy's event loop reuses. (Pass JVM options with -jvmArgsPrepend: -jvmArgsAppend replaces these.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.podrouter.proxy.ProxiedRequestBenchmark$EventLoopThreads"})
public class ProxiedRequestBenchmark {
    private static final byte[] REQUEST = ("GET / HTTP/1.1\r\nHost: " + EmbeddedPod.HOST + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Wed, 02 Dec 2026 07:00:00 GMT\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\npod")
            .getBytes(StandardCharsets.ISO_8859_1);

    private EmbeddedPod pod;
    private EmbeddedChannel client;
    private EmbeddedChannel server;

    @Setup(Level.Trial)
    public void setUp() {
        if (!FastThreadLocalThread.currentThreadWillCleanupFastThreadLocals()) {
            throw new IllegalStateException("not on an event-loop-like thread (see EventLoopThreads): the Recycler"
                    + " would pool nothing, and the bytes per request would count what an event loop reuses");
        }
        // The pool's idle connections are kept per thread: this runs on the benchmark's thread,
        // which plays the event loop both connections live on.
        pod = new EmbeddedPod();
        TimeoutsConfig timeouts = pod.settings.timeouts();
        server = pod.channel(new UpstreamChannelInitializer(timeouts.idle(), PoolConfig.DEFAULTS.idleTimeout()));
        pod.pool.release(server);
        client = pod.channel(ClientChannelInitializer.plain(() -> pod.settings, false));

        String response = proxyOneRequest();
        if (!response.startsWith("HTTP/1.1 200 OK\r\n") || !response.endsWith("\r\n\r\npod")) {
            throw new IllegalStateException("the client was not relayed the server's response: " + response);
        }
        if (pod.pool.pollIdle() != server) {
            throw new IllegalStateException("the server connection did not go back to the pool");
        }
        pod.pool.release(server);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // Every op, not only the first, took the real path: a lost server connection would have
        // made the next request connect (this pool cannot) and be answered 502.
        pod.pod.responses().forEach((status, count) -> {
            if (status != 200) {
                throw new IllegalStateException(count + " requests were answered " + status);
            }
        });
        pod.close();
    }

    /** Returns the bytes the client got, so that nothing of the relay can be left out as unused. */
    @Benchmark
    public int proxiedRequest() {
        readIn(client, REQUEST);
        int toServer = releaseOutbound(server);
        readIn(server, RESPONSE);
        return toServer + releaseOutbound(client);
    }

    /** {@link #proxiedRequest()} once, returning what the client got as text. */
    private String proxyOneRequest() {
        readIn(client, REQUEST);
        String relayed = releaseOutboundAsText(server);
        if (!relayed.startsWith("GET / HTTP/1.1\r\n")) {
            throw new IllegalStateException("the server was not relayed the request: " + relayed);
        }
        readIn(server, RESPONSE);
        return releaseOutboundAsText(client);
    }

    private static String releaseOutboundAsText(EmbeddedChannel ch) {
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    /**
     * What one socket read does: the bytes in a buffer of the connection's allocator, a read,
     * the end of the read. (Not writeInbound: its varargs array would be counted as the relay's.)
     */
    private static void readIn(EmbeddedChannel ch, byte[] bytes) {
        ch.writeOneInbound(ch.alloc().buffer(bytes.length).writeBytes(bytes), ch.voidPromise());
        ch.flushInbound();
    }

    /** Releases what the relay wrote to {@code ch}; returns how many bytes it was. */
    private static int releaseOutbound(EmbeddedChannel ch) {
        int bytes = 0;
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            bytes += buf.readableBytes();
            buf.release();
        }
        return bytes;
    }

    /**
     * JMH's worker threads (jmh.executor=CUSTOM), made the way Netty makes its event loops'
     * threads: FastThreadLocalThreads whose thread-locals are cleaned up when they end, the only
     * threads the Recycler pools on.
     */
    public static final class EventLoopThreads extends ThreadPoolExecutor {
        public EventLoopThreads(int threads, String prefix) {
            super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix, true));
        }
    }
}
