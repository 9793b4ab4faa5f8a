package io.podrouter;

import ch.qos.logback.classic.Level;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.podrouter.config.ConfigReader;
import io.podrouter.http.SmallHttpServer;
import io.podrouter.listener.Transport;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic through a private router before the real one listens, so that its first requests
 * meet compiled code instead of the interpreter, with the JIT compilers competing for the same
 * cores. The private router is built like the real one (same transport, handlers, directory
 * client and route cache, on 127.0.0.1 port 0) in front of a stub that plays both a pod and the
 * tenant directory; half its requests are for a few tenants (the hot path), half for a new one
 * each (the directory path).
 *
 * <p>It runs until the compilers go quiet ({@link CompilerActivity}), at most for its budget:
 * how long that takes depends on the cores the JVM has, so a fixed time is either too short on
 * one core or wasted on many. Measured on this project's 2-core machine (bench/RESULTS.md): quiet
 * after about 11 s on both cores and 18 s pinned to one, by when the private router went from
 * 6K to 16K requests/s.
 */
final class JitWarmUp {
    private static final Logger log = LoggerFactory.getLogger(JitWarmUp.class);
    private static final int CONNECTIONS = 32;
    /** Requests before a connection is replaced (measured: with 20, the compilers took 30 s instead of 23 to go quiet). */
    private static final int REQUESTS_PER_CONNECTION = 100;
    private static final int HOT_TENANTS = 64;
    private static final String POD = "warmup";
    private static final Duration SAMPLE = Duration.ofMillis(250);
    private static final Duration QUIET_WINDOW = Duration.ofSeconds(2);

    private JitWarmUp() {
    }

    /**
     * Runs the warm-up until the JIT compilers go quiet or {@code budget} is spent (nothing for
     * zero); a failure only skips it.
     *
     * @return how many requests the private router answered
     */
    static long run(Duration budget) {
        return run(budget, Transport.best());
    }

    /** The same, on {@code transport}: the one the real router will run on. */
    static long run(Duration budget, Transport transport) {
        return run(budget, transport, REQUESTS_PER_CONNECTION);
    }

    /** The same, each load connection replaced after {@code requestsPerConnection} requests. */
    static long run(Duration budget, Transport transport, int requestsPerConnection) {
        if (budget.isZero() || budget.isNegative()) {
            return 0;
        }
        if (ManagementFactory.getCompilationMXBean() == null) {
            log.info("JIT warm-up skipped: this JVM runs without a JIT compiler (podrouter run --jit-warm-up)");
            return 0;
        }
        long start = System.nanoTime();
        // Its own frame: while run() is interpreted, every local it had would keep the private router reachable.
        Outcome outcome = drive(budget, start, transport, requestsPerConnection);
        log.info("JIT warm-up: {} requests on {} connections through a private router in {} ms, {}; {} (podrouter run --jit-warm-up)",
                outcome.served(), outcome.connections(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                outcome.how(), collectGarbage());
        return outcome.served();
    }

    /** What the warm-up did: requests answered, connections they came on, and how it ended. */
    private record Outcome(long served, long connections, String how) {
    }

    private static Outcome drive(Duration budget, long start, Transport transport, int requestsPerConnection) {
        EventLoopGroup loop = transport.newGroup(1, "podrouter-warmup");
        ch.qos.logback.classic.Logger ours = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.podrouter");
        Level level = ours.getLevel();
        Path file = null;
        Podrouter router = null;
        Channel stub = null;
        Load load = null;
        CompilerActivity compilers = new CompilerActivity(QUIET_WINDOW);
        try {
            // The private router's own lines (started, stopped, its listener) would read as the real one's.
            ours.setLevel(Level.WARN);
            stub = stub(loop, transport);
            int stubPort = ((InetSocketAddress) stub.localAddress()).getPort();
            file = Files.createTempFile("podrouter-warmup", ".yaml");
            Files.writeString(file, config(stubPort));
            router = Podrouter.start(ConfigReader.read(file), transport);
            load = new Load(loop, transport, router.port(), requestsPerConnection);
            long deadline = start + budget.toNanos();
            while (System.nanoTime() - deadline < 0 && !load.finished(SAMPLE)) {
                if (compilers.quiet()) {
                    break;
                }
            }
            load.stop();
        } catch (Exception e) {
            ours.setLevel(level);
            log.warn("JIT warm-up skipped: {}", e.toString());
        } finally {
            if (router != null) {
                router.close();
            }
            if (stub != null) {
                stub.close().syncUninterruptibly();
            }
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (file != null) {
                file.toFile().delete();
            }
            ours.setLevel(level);
        }
        return new Outcome(load == null ? 0 : load.answered(), load == null ? 0 : CONNECTIONS + load.retired(),
                compilers.wentQuiet() ? "until the JIT compilers went quiet"
                        : compilers.measurable() ? "the compilers still busy at its limit of " + budget.toMillis() + " ms"
                        : "its full " + budget.toMillis() + " ms (this JVM does not report compilation time)");
    }

    /**
     * One full collection, before the real router listens (so the pause meets no traffic). The
     * warm-up's garbage (the private router, its route cache, its connections) lives long enough
     * to be promoted; left there, the old generation keeps the room it took and the parallel
     * collector, which collects the old generation only when the heap is at its limit, fills it
     * again before reusing it: about 15 MiB more resident at the hot load (bench/RESULTS.md).
     */
    private static String collectGarbage() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = memory.getHeapMemoryUsage().getUsed();
        long start = System.nanoTime();
        System.gc();
        long after = memory.getHeapMemoryUsage().getUsed();
        return "its garbage collected: heap " + (before >> 20) + " -> " + (after >> 20) + " MiB in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
    }

    private static String config(int stubPort) {
        return "listeners:\n  - bind: 127.0.0.1:0\n"
                + "backends:\n  " + POD + ": { servers: [ { address: 127.0.0.1:" + stubPort + " } ] }\n"
                + "routing:\n  directory: { url: \"http://127.0.0.1:" + stubPort + "/d/{key}\" }\n"
                + "access-log: { enabled: false }\n";
    }

    /** A pod and a directory in one: {@code /d/KEY} answers the pod's name, anything else a small page. */
    private static Channel stub(EventLoopGroup loop, Transport transport) throws InterruptedException {
        return SmallHttpServer.bind("127.0.0.1", 0, loop, transport.serverChannel(), 4096,
                () -> new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        String body = request.uri().startsWith("/d/") ? POD : "hello from the warm-up pod\n";
                        SmallHttpServer.reply(ctx, request, HttpResponseStatus.OK, "text/plain",
                                body.getBytes(StandardCharsets.US_ASCII));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // A reset: the router drops the server connection of a request its client abandoned.
                        ctx.close();
                    }
                });
    }

    /**
     * Keep-alive clients that send one request after another until stopped. Each connection is
     * retired after a number of requests ({@value #REQUESTS_PER_CONNECTION} in podrouter run) and
     * replaced: a third closed by the client after its last response, a third by the router after
     * a {@code Connection: close} request, a third by the client as soon as its last request is
     * sent, before the answer (a client giving up, as wrk does with each connection at the end of
     * a run). Clients come and go in real traffic, and code compiled without ever seeing a
     * connection close is thrown away at the first one: measured, the first wrk run to end
     * deoptimized the io_uring read path ({@code readComplete0}) and the pooled server
     * connection's ({@code ServerLeg.use}) 30 s into a steady load.
     */
    private static final class Load {
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong answered = new AtomicLong();
        private final AtomicLong retired = new AtomicLong();
        private final CountDownLatch done = new CountDownLatch(CONNECTIONS);
        private final Bootstrap client;
        private final int port;
        private final int requestsPerConnection;
        private volatile boolean stopping;

        Load(EventLoopGroup loop, Transport transport, int port, int requestsPerConnection) {
            this.port = port;
            this.requestsPerConnection = requestsPerConnection;
            this.client = new Bootstrap().group(loop).channel(transport.socketChannel())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            Client handler = new Client();
                            ch.closeFuture().addListener(f -> {
                                if (handler.retiring && !stopping) {
                                    connect();
                                } else {
                                    done.countDown();
                                }
                            });
                            ch.pipeline().addLast(new HttpClientCodec(), handler);
                        }
                    });
            for (int i = 0; i < CONNECTIONS; i++) {
                connect();
            }
        }

        private void connect() {
            client.connect("127.0.0.1", port).addListener(f -> {
                if (!f.isSuccess()) {
                    done.countDown();
                }
            });
        }

        /** Waits up to {@code wait}: whether every connection is already gone. */
        boolean finished(Duration wait) throws InterruptedException {
            return done.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** Each connection closes after its response in flight; waits for that (at most 2 s). */
        void stop() throws InterruptedException {
            stopping = true;
            done.await(2, TimeUnit.SECONDS);
        }

        long answered() {
            return answered.get();
        }

        /** Connections closed and replaced so far. */
        long retired() {
            return retired.get();
        }

        private final class Client extends SimpleChannelInboundHandler<HttpObject> {
            private int sentHere;
            private boolean retiring;
            private boolean routerCloses;
            private boolean abandons;

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                send(ctx);
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                if (msg instanceof LastHttpContent) {
                    answered.incrementAndGet();
                    if (stopping || (retiring && !routerCloses)) {
                        ctx.close();
                    } else if (!retiring) {
                        send(ctx);
                    }
                }
            }

            private void send(ChannelHandlerContext ctx) {
                long n = sent.incrementAndGet();
                String tenant = n % 2 == 0 ? "t" + (n % HOT_TENANTS) : "new" + n;
                HttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
                request.headers().set(HttpHeaderNames.HOST, tenant + ".warm-up.invalid");
                if (++sentHere == requestsPerConnection) {
                    retiring = true;
                    long how = retired.incrementAndGet() % 3;
                    routerCloses = how == 1;
                    abandons = how == 2;
                    if (routerCloses) {
                        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    }
                }
                if (abandons) {
                    ctx.writeAndFlush(request).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.writeAndFlush(request, ctx.voidPromise());
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }
    }
}
