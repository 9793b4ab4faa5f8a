package io.podrouter.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.podrouter.backend.Pod;
import io.podrouter.config.Sizes;
import io.podrouter.http.LogText;
import io.podrouter.routing.Route;
import io.podrouter.routing.RoutingKey;
import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The last handler of a client connection: takes requests one at a time, routes each one and
 * runs it as an {@link Exchange}. Anything that arrives before it can be handled (a pipelined
 * request, body parts while the server connection opens) waits here in order, with reads paused.
 */
public final class FrontendHandler extends ChannelInboundHandlerAdapter implements ClientSide {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    private final Supplier<ProxySettings> currentSettings;
    private final String scheme;
    private final boolean requireHostMatch;
    /** The settings the current request started with (a reload affects the next request, not this one). */
    private ProxySettings settings;
    private ChannelHandlerContext ctx;
    private ClientResponseEncoder encoder;
    private ForwardedHeaders.Peer peer;
    /** The current request's X-Request-Id (see {@link RequestId}). */
    private String requestId;
    private Exchange exchange;
    /** A request held while the directory is asked where it goes. */
    private HttpRequest resolving;
    /** The current request's times (for the access log), reset as each request starts. */
    private final ExchangeTimings timings = new ExchangeTimings();
    private ReadGate gate;
    private HeldMessages waiting;
    /** The rest of a refused request (its last, empty part) is still to come and is dropped. */
    private boolean discardingRequest;
    /** Nothing more is read from this connection as HTTP: it closes, or became a tunnel. */
    private boolean closing;
    /** {@link #takeWaiting()} is taking what waited (it can be called again from within). */
    private boolean takingWaiting;
    /**
     * Closes the connection after timeouts.keep-alive without a request, and tells the exchange when
     * the client has sent nothing for timeouts.client; null on an HTTP/2 stream (its connection has its own).
     */
    private ConnectionTimer timer;

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
        this.gate = new ReadGate(ctx.channel());
        this.waiting = new HeldMessages(gate);
        ClientHttpCodec codec = ctx.pipeline().get(ClientHttpCodec.class);
        this.encoder = codec == null ? null : codec.encoder(); // null on an HTTP/2 stream: its codec knows HEAD
        this.peer = settings.forwarded().peer(ctx.channel().remoteAddress());
        if (codec != null) {
            timer = new ConnectionTimer(ctx, settings.timeouts().keepAlive().toMillis(), settings.timeouts().client().toMillis()) {
                @Override
                boolean idle() {
                    return FrontendHandler.this.idle();
                }

                @Override
                void expired() {
                    log.debug("closing idle client connection {} (no request for {})", peer.address(),
                            Sizes.formatDuration(settings.timeouts().keepAlive()));
                    closeNow();
                }

                @Override
                void silent() {
                    clientSilent();
                }
            };
            if (ctx.channel().isActive()) {
                timer.start();
            }
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.stop();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        settings.connections().add(ctx.channel());
        if (timer != null) {
            timer.start();
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
            waiting.hold(msg);
        } else {
            take(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.readEnded();
        }
        if (exchange != null) {
            exchange.flushUpstream();
        }
    }

    /** Nothing from the client for timeouts.client. */
    private void clientSilent() {
        // While something the client sent waits here unread (reads paused until the request
        // gets a server), the silence is the router's, not the client's.
        if (exchange != null && waiting.isEmpty()) {
            exchange.clientSilent();
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
        if (timer != null) {
            timer.stop();
        }
        stopReading();
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
        if (evt == ClientConnections.CLOSE_IF_IDLE) {
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
        timings.headArrived(settings.accessLog() != null);
        if (encoder != null) {
            encoder.answeringHead(HttpMethod.HEAD.equals(request.method()));
        }
        String sni = serverName();
        Route.Refused refusal = RequestChecks.refusal(request, requireHostMatch ? sni : null, settings.router());
        if (refusal != null && request.decoderResult().isFailure()) {
            refuseMalformed(request, refusal);
        } else if (refusal != null) {
            refuse(request, refusal);
        } else {
            Route route = settings.router().route(request, sni, ctx.channel().eventLoop());
            if (route instanceof Route.Lookup lookup) {
                resolving = request;
                settings.router().resolve(lookup, ctx.channel().eventLoop(), resolved -> resolved(request, resolved));
                return;
            }
            proceed(request, route);
        }
    }

    private String serverName() {
        Channel ch = ctx.channel();
        // hasAttr first: attr() would add an empty attribute to every plain connection it is asked of.
        String name = ch.hasAttr(SERVER_NAME) ? ch.attr(SERVER_NAME).get() : null;
        Channel parent = ch.parent();
        if (name != null || parent == null) {
            return name;
        }
        return parent.hasAttr(SERVER_NAME) ? parent.attr(SERVER_NAME).get() : null;
    }

    /** The directory's answer for a held request, on this connection's event loop. */
    private void resolved(HttpRequest request, Route route) {
        if (closing || resolving != request) {
            return;
        }
        resolving = null;
        timings.lookedUp();
        proceed(request, route);
        takeWaiting();
    }

    private void proceed(HttpRequest request, Route route) {
        timings.routed(route);
        if (route instanceof Route.Refused refused) {
            refuse(request, refused);
            return;
        }
        Pod pod = ((Route.To) route).pod();
        String rawKey = settings.router().rawKeyOf(request, serverName());
        String routingKey = RoutingKey.normalize(rawKey);
        if (routingKey != null) {
            settings.metrics().tenants().count(routingKey, pod.name(), ctx.channel().eventLoop());
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        String upgrade = RequestHead.forServer(request, settings.forwarded(), peer, scheme, requestId);
        exchange = new Exchange(this, request, pod, pod.usesKey() ? routingKey : null, rawKey, keepAlive, http10,
                upgrade, timings, settings);
        exchange.start();
    }

    private void refuseMalformed(HttpRequest request, Route.Refused refusal) {
        log.info("{} for client {}: {} ({})", refusal.status(), peer.address(), refusal.reason(),
                request.decoderResult().cause().getMessage());
        if (settings.accessLog() != null) {
            settings.accessLog().add(timings.record(peer.address(), "-", "-", "-", null, null, null,
                    refusal.status(), 0, requestId));
        }
        settings.metrics().unrouted().count(refusal.status());
        ReferenceCountUtil.release(request);
        respond(refusal.status(), refusal.reason(), false, 0);
    }

    private void refuse(HttpRequest request, Route.Refused refusal) {
        int status = refusal.status();
        if (settings.accessLog() != null) {
            settings.accessLog().add(timings.record(peer.address(), request.method().name(), request.uri(),
                    request.protocolVersion().text(), settings.router().rawKeyOf(request, serverName()), null, null,
                    status, 0, requestId));
        }
        boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        boolean keepAlive = !hasBody && HttpUtil.isKeepAlive(request);
        // The directory is down (503 with Retry-After): its own log lines (lookup failures, circuit
        // open/closed) say so once; a line per refused request would flood the log exactly when it is read.
        boolean quiet = status == 503 && refusal.retryAfterSeconds() > 0;
        log.atLevel(quiet ? Level.DEBUG : Level.INFO).log("{} for {} {} from {}: {} (Host: {})", status, request.method(),
                LogText.clip(request.uri()), peer.address(), refusal.reason(),
                LogText.clip(request.headers().get(HttpHeaderNames.HOST)));
        discardingRequest = keepAlive && !(request instanceof LastHttpContent);
        settings.metrics().unrouted().count(status);
        ReferenceCountUtil.release(request);
        respond(status, refusal.reason(), keepAlive, refusal.retryAfterSeconds());
    }

    /** Answers with the router's own response; without keep-alive the connection closes after it. */
    private void respond(int status, String reason, boolean keepAlive, int retryAfterSeconds) {
        keepAlive &= !routerStopping();
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
            takeWaiting();
        } else {
            stopReading();
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void wentIdle() {
        if (timer != null) {
            timer.wentIdle();
        }
    }

    @Override
    public void finished(boolean keepOpen) {
        exchange = null;
        gate.resume(ReadGate.PEER);
        if (keepOpen && !routerStopping()) {
            wentIdle();
            takeWaiting();
        } else {
            stopReading();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void failed(int status, String reason, boolean keepOpen, boolean requestEndUnread) {
        exchange = null;
        gate.resume(ReadGate.PEER);
        discardingRequest = keepOpen && requestEndUnread;
        respond(status, reason, keepOpen, 0);
    }

    @Override
    public void switchedToTunnel(Channel upstream, ReadGate upstreamGate) {
        exchange = null;
        stopReading(); // nothing HTTP is read here any more
        TunnelHandler.install(ctx.pipeline(), gate, upstream, upstreamGate, settings.timeouts().tunnel().toMillis(),
                PipelineNames.FRONTEND);
    }

    @Override
    public void aborted() {
        exchange = null;
        closeNow();
    }

    /**
     * Takes what waited, in order, as far as the current state allows; resumes reads once nothing
     * waits. Called whenever what may be taken changed: a server connection is ready, a response
     * ended, a directory answer came.
     */
    @Override
    public void takeWaiting() {
        if (takingWaiting) {
            return;
        }
        takingWaiting = true;
        try {
            while (!closing && !waiting.isEmpty() && canTake(waiting.peek())) {
                take(waiting.poll());
            }
        } finally {
            takingWaiting = false;
        }
        if (exchange != null) {
            exchange.flushUpstream();
        }
        waiting.resumeIfEmpty();
    }

    @Override
    public ChannelHandlerContext context() {
        return ctx;
    }

    @Override
    public ReadGate readGate() {
        return gate;
    }

    @Override
    public boolean routerStopping() {
        return settings.connections().stopping();
    }

    @Override
    public String peerAddress() {
        return peer.address();
    }

    @Override
    public String requestId() {
        return requestId;
    }

    private void closeNow() {
        stopReading();
        ctx.close();
    }

    /** Nothing more is read as HTTP: what waits is dropped and reads stay paused for good. */
    private void stopReading() {
        closing = true;
        gate.shut();
        waiting.releaseAll();
    }
}
