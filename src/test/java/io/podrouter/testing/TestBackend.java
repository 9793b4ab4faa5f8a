package io.podrouter.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server for tests, bound to 127.0.0.1 port 0. It counts the connections and
 * requests it gets, records request heads, and answers by path:
 * <ul>
 *   <li>{@code /sha256}: reads the whole body, answers its length and SHA-256 digest</li>
 *   <li>{@code /download?size=N}: streams N bytes of {@link #pattern} (chunked), honouring backpressure</li>
 *   <li>{@code /slow?ms=N}: answers after N milliseconds</li>
 *   <li>{@code /close}: reads the request and closes the connection without answering</li>
 *   <li>{@code /headers}: answers the request head as text</li>
 *   <li>{@code /health}: answers with the status set by {@link #healthStatus(int)} (200 at first)</li>
 *   <li>{@code /hold}: answers only when {@link #releaseHeld()} is called</li>
 *   <li>anything else: {@code <name> host=<Host> path=<uri>}</li>
 * </ul>
 * It also counts the requests it is serving at once ({@link #inFlight()}) and the most it has
 * seen ({@link #maxInFlight()}): a request is in flight from its head until its answer starts
 * or its connection closes.
 */
public final class TestBackend implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group;
    private final Channel channel;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<HttpRequest> heads = new CopyOnWriteArrayList<>();
    private final Map<Channel, Boolean> open = new ConcurrentHashMap<>();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> byPath = new ConcurrentHashMap<>();
    private final Queue<Runnable> held = new ConcurrentLinkedQueue<>();
    private volatile int healthStatus = 200;

    public TestBackend(String name) throws InterruptedException {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        open.put(ch, true);
                        ch.closeFuture().addListener(f -> {
                            open.remove(ch);
                            closed.incrementAndGet();
                        });
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public String name() {
        return name;
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Connections accepted and not yet closed. */
    public int openConnections() {
        return open.size();
    }

    public int requests() {
        return requests.get();
    }

    public List<HttpRequest> heads() {
        return heads;
    }

    /** Requests received so far whose path (without query) is {@code path}. */
    public int requests(String path) {
        AtomicInteger n = byPath.get(path);
        return n == null ? 0 : n.get();
    }

    /** Requests received so far on any path but {@code /health} (what health checks ask for). */
    public int requestsButHealthChecks() {
        return requests.get() - requests("/health");
    }

    /** Connections closed so far (by either side). */
    public int closedConnections() {
        return closed.get();
    }

    /** Requests being served now: received, not yet answered, connection still open. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The most requests it has served at once. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** The status {@code /health} answers from now on. */
    public void healthStatus(int status) {
        this.healthStatus = status;
    }

    /** {@code /hold} requests waiting for {@link #releaseHeld()}. */
    public int held() {
        return held.size();
    }

    /** Answers every {@code /hold} request waiting now. */
    public void releaseHeld() {
        Runnable r;
        while ((r = held.poll()) != null) {
            r.run();
        }
    }

    /** The repeating bytes that {@code /download} sends, so a client can check what it got. */
    public static byte pattern(long offset) {
        return (byte) ('a' + offset % 26);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest request;
        private MessageDigest digest;
        private long bodyLength;
        private boolean serving;
        /** The /download body being written, if any. */
        private Streamer streamer;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest r) {
                request = r;
                requests.incrementAndGet();
                byPath.computeIfAbsent(new QueryStringDecoder(r.uri()).path(), p -> new AtomicInteger()).incrementAndGet();
                heads.add(r);
                serving = true;
                int n = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(n, Math::max);
                digest = sha256();
                bodyLength = 0;
            }
            if (msg instanceof HttpContent c) {
                bodyLength += c.content().readableBytes();
                digest.update(c.content().nioBuffer());
                c.release();
                if (c instanceof LastHttpContent) {
                    answer(ctx);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            served();
            ctx.fireChannelInactive();
        }

        /** The current request is answered (or will never be): it is no longer in flight. */
        private void served() {
            if (serving) {
                serving = false;
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A client (the router) resetting its connection is no news to a test server.
            if (!(cause instanceof java.io.IOException)) {
                ctx.fireExceptionCaught(cause);
            }
            ctx.close();
        }

        private void answer(ChannelHandlerContext ctx) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            switch (uri.path()) {
                case "/sha256" -> text(ctx, bodyLength + " " + HexFormat.of().formatHex(digest.digest()), keepAlive);
                case "/download" -> download(ctx, Long.parseLong(uri.parameters().get("size").get(0)), keepAlive);
                case "/slow" -> {
                    long ms = Long.parseLong(uri.parameters().get("ms").get(0));
                    String body = name + " slow";
                    ctx.executor().schedule(() -> text(ctx, body, keepAlive), ms, TimeUnit.MILLISECONDS);
                }
                case "/close" -> ctx.close();
                case "/health" -> status(ctx, healthStatus, keepAlive);
                case "/hold" -> held.add(() -> ctx.executor().execute(() -> text(ctx, name + " held", keepAlive)));
                case "/headers" -> {
                    StringBuilder s = new StringBuilder(request.method() + " " + request.uri() + " " + request.protocolVersion() + "\n");
                    request.headers().forEach(h -> s.append(h.getKey().toLowerCase()).append(": ").append(h.getValue()).append('\n'));
                    text(ctx, s.toString(), keepAlive);
                }
                default -> text(ctx, name + " host=" + request.headers().get(HttpHeaderNames.HOST) + " path=" + request.uri(), keepAlive);
            }
        }

        private void text(ChannelHandlerContext ctx, String body, boolean keepAlive) {
            respond(ctx, HttpResponseStatus.OK, body, keepAlive);
        }

        private void status(ChannelHandlerContext ctx, int status, boolean keepAlive) {
            respond(ctx, HttpResponseStatus.valueOf(status), name + " " + status, keepAlive);
        }

        private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean keepAlive) {
            served();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length).set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            if (!keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(r);
            }
        }

        private void download(ChannelHandlerContext ctx, long size, boolean keepAlive) {
            served();
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setTransferEncodingChunked(r, true);
            ctx.writeAndFlush(r);
            streamer = new Streamer(ctx, size, keepAlive);
            stream();
        }

        private void stream() {
            if (streamer.resume()) {
                streamer = null;
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (streamer != null && ctx.channel().isWritable()) {
                stream();
            }
            ctx.fireChannelWritabilityChanged();
        }
    }

    /**
     * Writes a large body in pieces, only while the connection is writable; the handler resumes it
     * when the connection becomes writable again.
     */
    private static final class Streamer {
        private static final int PIECE = 64 * 1024;
        /** {@link TestBackend#pattern} from offset 0, long enough for a piece starting at any offset modulo 26. */
        private static final byte[] PATTERN_BYTES = new byte[PIECE + 26];

        static {
            for (int i = 0; i < PATTERN_BYTES.length; i++) {
                PATTERN_BYTES[i] = pattern(i);
            }
        }

        private final ChannelHandlerContext ctx;
        private final long size;
        private final boolean keepAlive;
        private long sent;
        private boolean running;

        Streamer(ChannelHandlerContext ctx, long size, boolean keepAlive) {
            this.ctx = ctx;
            this.size = size;
            this.keepAlive = keepAlive;
        }

        /** Writes as far as the connection takes it; true once the body is written in full (or the connection closed). */
        boolean resume() {
            if (running) {
                // Called back from the flush below, when it made the connection writable again.
                return false;
            }
            running = true;
            try {
                while (sent < size && ctx.channel().isActive()) {
                    if (!ctx.channel().isWritable()) {
                        ctx.flush();
                        if (!ctx.channel().isWritable()) {
                            return false;
                        }
                        continue;
                    }
                    int n = (int) Math.min(PIECE, size - sent);
                    ByteBuf buf = ctx.alloc().buffer(n);
                    // One bulk write per piece: under paranoid leak detection every buffer call records a trace.
                    buf.writeBytes(PATTERN_BYTES, (int) (sent % 26), n);
                    sent += n;
                    ctx.write(new DefaultHttpContent(buf));
                }
                if (ctx.channel().isActive()) {
                    var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                    if (!keepAlive) {
                        f.addListener(ChannelFutureListener.CLOSE);
                    }
                }
                return true;
            } finally {
                running = false;
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
