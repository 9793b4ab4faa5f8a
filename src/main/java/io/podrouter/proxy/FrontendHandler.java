package io.podrouter.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.podrouter.http.LogText;
import io.podrouter.accesslog.AccessLog;
import io.podrouter.accesslog.AccessRecord;
import io.podrouter.backend.Pod;
import io.podrouter.config.Sizes;
import io.podrouter.routing.RequestTarget;
import io.podrouter.routing.Route;
import java.io.IOException;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: takes requests one at a time, routes each one and
 * runs it as an {@link Exchange}. Anything that arrives before it can be handled (a pipelined
 * request, body parts while the server connection opens) waits here in order, with reads paused.
 */
public final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    static final int PAUSED_BY_QUEUE = 1;
    static final int PAUSED_BY_UPSTREAM = 2;

    private final Supplier<ProxySettings> currentSettings;
    private final String scheme;
    private final boolean requireHostMatch;
    /** The settings the current request started with (a reload affects the next request, not this one). */
    private ProxySettings settings;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;
    private ClientResponseEncoder encoder;
    private ForwardedHeaders.Peer peer;
    /** The current request's X-Request-Id (see {@link RequestId}). */
    private String requestId;
    private Exchange exchange;
    /** A request held while the directory is asked where it goes. */
    private HttpRequest resolving;
    /** When the current request's head arrived, and how long its lookup took (for the access log). */
    private long headAt;
    private long lookupNanos;
    /** The rest of a refused request (its last, empty part) is still to come and is dropped. */
    private boolean discardingRequest;
    private boolean closing;
    private boolean draining;
    private int pauses;
    /** Closes the connection after timeouts.keep-alive without a request; null on an HTTP/2 stream (its connection has its own). */
    private IdleConnectionTimer keepAliveTimer;

    /** The server name a TLS client sent (SNI), on its connection (an HTTP/2 stream's parent). */
    public static final AttributeKey<String> SERVER_NAME = AttributeKey.valueOf("podrouter.server-name");

    /**
     * @param tls the connection came in over TLS (X-Forwarded-Proto: https)
     * @param requireHostMatch refuse (421) a request whose Host is not the connection's server name
     */
    public FrontendHandler(Supplier<ProxySettings> currentSettings, boolean tls, boolean requireHostMatch) {
        this.currentSettings = currentSettings;
        this.scheme = tls ? "https" : "http";
        this.requireHostMatch = requireHostMatch;
        this.settings = currentSettings.get();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ClientHttpCodec codec = ctx.pipeline().get(ClientHttpCodec.class);
        this.encoder = codec == null ? null : codec.encoder(); // null on an HTTP/2 stream: its codec knows HEAD
        this.peer = settings.forwarded().peer(ctx.channel().remoteAddress());
        if (codec != null) {
            keepAliveTimer = new IdleConnectionTimer(ctx, settings.timeouts().keepAlive().toMillis(), this::idle, () -> {
                log.debug("closing idle client connection {} (no request for {})", peer.address(),
                        Sizes.formatDuration(settings.timeouts().keepAlive()));
                closeNow();
            });
            if (ctx.channel().isActive()) {
                keepAliveTimer.start();
            }
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (keepAliveTimer != null) {
            keepAliveTimer.stop();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        settings.connections().add(ctx.channel());
        if (keepAliveTimer != null) {
            keepAliveTimer.start();
        }
        ctx.fireChannelActive();
    }

    /** No request in flight, held or waiting on this connection. */
    private boolean idle() {
        return exchange == null && resolving == null && waiting.isEmpty();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!waiting.isEmpty() || !canTake(msg)) {
            waiting.addLast(msg);
            // The empty end of a request without body (it follows the head at once) carries
            // nothing to hold back: reads go on, and what could follow it (a pipelined request)
            // pauses them. Pausing for it would cost two epoll_ctl calls for every request that
            // waits for a server slot or a directory answer.
            if (!isEmptyEnd(msg)) {
                pause(PAUSED_BY_QUEUE);
            }
            return;
        }
        take(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.flushUpstream();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (keepAliveTimer != null) {
            keepAliveTimer.stop();
        }
        releaseWaiting();
        if (resolving != null) {
            // Held for a directory answer that will now find nobody to route for.
            ReferenceCountUtil.release(resolving);
            resolving = null;
        }
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.clientClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            // While something the client sent waits here unread (reads paused until the request
            // gets a server), the silence is the router's, not the client's.
            if (exchange != null && waiting.isEmpty()) {
                exchange.clientSilent();
            }
            return;
        }
        if (evt == ClientConnections.DRAIN) {
            if (idle()) {
                log.debug("closing idle client connection {} ({})", peer.address(), evt);
                closeNow();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client connection {} failed: {}", peer.address(), cause.toString());
        } else if (cause instanceof DecoderException) {
            // Malformed input the codec could not turn into a request (an HTTP/2 stream, say): one line, no trace.
            Throwable why = cause.getCause() != null ? cause.getCause() : cause;
            log.info("closing a client {} that sent what cannot be decoded: {}", peer.address(), why.getMessage());
        } else {
            log.warn("client connection {} failed", peer.address(), cause);
        }
        ctx.close();
    }

    private static boolean isEmptyEnd(Object msg) {
        return msg instanceof LastHttpContent last && !last.content().isReadable()
                && last.trailingHeaders().isEmpty() && last.decoderResult().isSuccess();
    }

    private boolean canTake(Object msg) {
        if (resolving != null) {
            return false;
        }
        if (msg instanceof HttpRequest) {
            return exchange == null && !discardingRequest;
        }
        return exchange == null || exchange.acceptsRequestContent();
    }

    private void take(Object msg) {
        if (msg instanceof HttpRequest request) {
            start(request);
        } else if (exchange != null) {
            exchange.forwardRequestContent((HttpContent) msg);
        } else {
            HttpContent content = (HttpContent) msg;
            boolean failed = content.decoderResult().isFailure();
            if (content instanceof LastHttpContent) {
                discardingRequest = false;
            }
            content.release();
            if (failed) {
                closeNow();
            }
        }
    }

    private void start(HttpRequest request) {
        settings = currentSettings.get();
        requestId = request.decoderResult().isFailure() ? RequestId.generate() : RequestId.of(request.headers(), peer.trusted());
        headAt = System.nanoTime();
        lookupNanos = -1;
        if (encoder != null) {
            encoder.answeringHead(HttpMethod.HEAD.equals(request.method()));
        }
        if (request.decoderResult().isFailure()) {
            refuseMalformed(request);
            return;
        }
        String problem = RequestChecks.problem(request);
        if (problem != null) {
            refuse(request, HttpMethod.CONNECT.equals(request.method()) ? 405 : 400, problem, 0, "none");
            return;
        }
        String sni = serverName();
        if (requireHostMatch && sni != null) {
            String host = settings.router().hostKeyOf(request);
            if (host != null && !host.equals(sni)) {
                refuse(request, 421, "this connection is for " + sni + ", not " + host, 0, "none");
                return;
            }
        }
        Route route = settings.router().route(request, sni, ctx.channel().eventLoop());
        if (route instanceof Route.Lookup lookup) {
            resolving = request;
            settings.router().resolve(lookup, ctx.channel().eventLoop(), resolved -> resolved(request, resolved));
            return;
        }
        proceed(request, route);
    }

    private String serverName() {
        Channel ch = ctx.channel();
        String name = ch.attr(SERVER_NAME).get();
        return name != null || ch.parent() == null ? name : ch.parent().attr(SERVER_NAME).get();
    }

    private String routeLabel(Route route) {
        if (lookupNanos >= 0) {
            return "miss";
        }
        if (route instanceof Route.To to) {
            return switch (to.source()) {
                case STATIC -> "static";
                case DIRECTORY -> "hit";
                case FALLBACK -> "fallback";
            };
        }
        return "none";
    }

    /** The directory's answer for a held request, on this connection's event loop. */
    private void resolved(HttpRequest request, Route route) {
        if (closing || resolving != request) {
            return;
        }
        resolving = null;
        lookupNanos = System.nanoTime() - headAt;
        proceed(request, route);
        drainWaiting();
    }

    private void proceed(HttpRequest request, Route route) {
        if (route instanceof Route.Refused refused) {
            refuse(request, refused.status(), refused.reason(), refused.retryAfterSeconds(), routeLabel(route));
            return;
        }
        Pod pod = ((Route.To) route).pod();
        String routingKey = settings.router().keyOf(request, serverName());
        if (routingKey != null) {
            settings.metrics().tenants().count(routingKey, pod.name(), ctx.channel().eventLoop());
        }
        String key = pod.usesKey() ? routingKey : null;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (RequestTarget.isAbsoluteForm(request.uri())) {
            host = RequestTarget.authority(request.uri());
            request.setUri(RequestTarget.originForm(request.uri()));
            request.headers().set(HttpHeaderNames.HOST, host);
        }
        String upgrade = HopByHopHeaders.upgradeRequested(request.headers());
        HopByHopHeaders.strip(request.headers());
        if (upgrade != null) {
            // The one hop-by-hop request the server must see: it is asked to switch protocols.
            request.headers().set(HttpHeaderNames.UPGRADE, upgrade).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        settings.forwarded().apply(request.headers(), peer, host, scheme);
        request.headers().set(RequestId.X_REQUEST_ID, requestId);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        String loggedKey = settings.accessLog() == null ? null : settings.router().rawKeyOf(request, serverName());
        exchange = new Exchange(this, ctx, request, pod, key, loggedKey, keepAlive, http10, settings.timeouts(),
                settings.metrics(), settings.accessLog(), headAt, lookupNanos, routeLabel(route), upgrade);
        exchange.start();
    }

    private void refuseMalformed(HttpRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status;
        String reason;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            reason = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            reason = "request header fields too large";
        } else {
            status = 400;
            reason = "malformed request";
        }
        log.info("{} for client {}: {} ({})", status, peer.address(), reason, cause.getMessage());
        if (settings.accessLog() != null) {
            settings.accessLog().add(new AccessRecord(arrivedAtMillis(), peer.address(), "-", "-", "-", null,
                    null, null, status, 0, "none", -1, -1, -1, -1, 0, requestId));
        }
        settings.metrics().unrouted().count(status);
        ReferenceCountUtil.release(request);
        respond(status, reason, false);
    }

    private void refuse(HttpRequest request, int status, String reason, int retryAfterSeconds, String routeLabel) {
        AccessLog accessLog = settings.accessLog();
        if (accessLog != null) {
            long took = (System.nanoTime() - headAt) / 1000;
            accessLog.add(new AccessRecord(arrivedAtMillis(), peer.address(), request.method().name(),
                    request.uri(), request.protocolVersion().text(), settings.router().rawKeyOf(request, serverName()),
                    null, null, status, 0, routeLabel, lookupNanos < 0 ? -1 : lookupNanos / 1000, -1, -1, -1, took,
                    requestId));
        }
        boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        boolean keepAlive = !hasBody && HttpUtil.isKeepAlive(request);
        if (status == 503 && retryAfterSeconds > 0) {
            // The directory is down: its own log lines (lookup failures, circuit open/closed) say so
            // once; a line per refused request would flood the log exactly when it is read.
            log.debug("{} for {} {} from {}: {} (Host: {})", status, request.method(), LogText.clip(request.uri()),
                    peer.address(), reason, LogText.clip(request.headers().get(HttpHeaderNames.HOST)));
        } else {
            log.info("{} for {} {} from {}: {} (Host: {})", status, request.method(), LogText.clip(request.uri()),
                    peer.address(), reason, LogText.clip(request.headers().get(HttpHeaderNames.HOST)));
        }
        discardingRequest = keepAlive && !(request instanceof LastHttpContent);
        settings.metrics().unrouted().count(status);
        ReferenceCountUtil.release(request);
        respond(status, reason, keepAlive, retryAfterSeconds);
    }

    /** When the current request arrived, on the wall clock (the access log's time for every line). */
    private long arrivedAtMillis() {
        return System.currentTimeMillis() - (System.nanoTime() - headAt) / 1_000_000;
    }

    /** Answers with the router's own response; without keep-alive the connection closes after it. */
    private void respond(int status, String reason, boolean keepAlive) {
        respond(status, reason, keepAlive, 0);
    }

    private void respond(int status, String reason, boolean keepAlive, int retryAfterSeconds) {
        keepAlive &= !draining();
        var response = ErrorResponse.of(ctx.alloc(), status, reason, keepAlive);
        if (retryAfterSeconds > 0) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        if (requestId != null) {
            response.headers().set(RequestId.X_REQUEST_ID, requestId);
        }
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
            wentIdle();
            drainWaiting();
        } else {
            closing = true;
            releaseWaiting();
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Called by the exchange when the response has been written in full. */
    void exchangeFinished(boolean keepOpen) {
        exchange = null;
        resume(PAUSED_BY_UPSTREAM);
        if (keepOpen && !draining()) {
            wentIdle();
            drainWaiting();
        } else {
            closing = true;
            releaseWaiting();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void wentIdle() {
        if (keepAliveTimer != null) {
            keepAliveTimer.wentIdle();
        }
    }

    /** Called by the exchange when it failed before any of the response was written. */
    void exchangeFailed(int status, String reason, boolean keepOpen, boolean requestEndUnread) {
        exchange = null;
        resume(PAUSED_BY_UPSTREAM);
        discardingRequest = keepOpen && requestEndUnread;
        respond(status, reason, keepOpen);
    }

    /**
     * Called by the exchange when the server switched protocols (101): from now on this
     * connection is a byte tunnel to {@code upstream}, with its own idle timeout.
     */
    void switchToTunnel(Channel upstream) {
        exchange = null;
        closing = true; // nothing HTTP is read here any more
        releaseWaiting();
        ChannelPipeline p = ctx.pipeline();
        long idle = settings.timeouts().tunnel().toMillis();
        p.replace(PipelineNames.IDLE, PipelineNames.IDLE, new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        p.addLast(PipelineNames.TUNNEL, new TunnelHandler(upstream));
        // This handler first: bytes the decoder still holds then flow to the tunnel when it goes.
        p.remove(this);
        p.remove(PipelineNames.HTTP_CODEC);
        if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Called by the exchange when it failed after part of the response was written: nothing to do but close. */
    void exchangeAborted() {
        exchange = null;
        closeNow();
    }

    /** Takes what waited, in order, as far as the current state allows; resumes reads once nothing waits. */
    void drainWaiting() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!closing && !waiting.isEmpty() && canTake(waiting.peekFirst())) {
                take(waiting.pollFirst());
            }
        } finally {
            draining = false;
        }
        if (exchange != null) {
            exchange.flushUpstream();
        }
        if (waiting.isEmpty()) {
            resume(PAUSED_BY_QUEUE);
        }
    }

    void pause(int reason) {
        if (pauses == 0) {
            ctx.channel().config().setAutoRead(false);
        }
        pauses |= reason;
    }

    void resume(int reason) {
        if ((pauses & reason) == 0) {
            return;
        }
        pauses &= ~reason;
        if (pauses == 0 && !closing) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** The router is stopping: finish what is in flight, keep nothing alive. */
    boolean draining() {
        return settings.connections().draining();
    }

    String peerAddress() {
        return peer.address();
    }

    String requestId() {
        return requestId;
    }

    private void closeNow() {
        closing = true;
        releaseWaiting();
        ctx.close();
    }

    private void releaseWaiting() {
        Object msg;
        while ((msg = waiting.pollFirst()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
