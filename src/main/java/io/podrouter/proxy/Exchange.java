package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import io.netty.util.concurrent.ScheduledFuture;
import io.podrouter.http.LogText;
import io.podrouter.accesslog.AccessLog;
import io.podrouter.accesslog.AccessRecord;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.config.Sizes;
import io.podrouter.config.TimeoutsConfig;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, relayed between a client connection and a server connection
 * that both live on the same event loop. Bodies stream part by part; when one side cannot take
 * more, reading from the other side pauses until it can.
 */
final class Exchange implements Pod.Waiter {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private final FrontendHandler frontend;
    private final ChannelHandlerContext client;
    private final HttpRequest request;
    private final Pod pod;
    private final String key;
    /** The routing key for the access log, as it came (null without an access log). */
    private final String loggedKey;
    private Server server;
    /** The server holds a request slot for this exchange until {@link #releaseSlot()}. */
    private boolean holdsSlot;
    private boolean retried;
    /** The server connection came from the idle pool (it may have been closed by the server meanwhile). */
    private boolean reusedConnection;
    /** The retry after a reused connection closed under the request: it takes a new connection, not an idle one. */
    private boolean freshConnection;
    /**
     * This exchange holds a reference to its request: a reference-counted one (an HTTP/2 stream's
     * whole request in one message) until it is written, and past the first write one kept so that
     * a retry can send it again. Whatever way the exchange ends, a reference it holds is released.
     */
    private boolean ownsRequest;
    /** Some request body bytes went to the server: the request cannot be sent again. */
    private boolean bodySent;
    private final boolean http10;
    private final boolean head;
    private final TimeoutsConfig timeouts;
    private final RequestMetrics metrics;
    private final AccessLog accessLog;
    private final long started;
    private final long lookupNanos;
    private final String routeLabel;
    /** The protocol the client asked to switch to, or null. */
    private final String upgrade;
    private long grantedAt;
    private long attachedAt;
    private long requestSentAt;
    private long responseAt;
    private long bytesOut;
    private int responseStatus;
    private boolean clientKeepAlive;

    private Channel upstream;
    private UpstreamHandler upstreamHandler;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean responseKeepAlive;
    private boolean interimResponse;
    private boolean done;
    private ScheduledFuture<?> serverTimeout;

    Exchange(FrontendHandler frontend, ChannelHandlerContext client, HttpRequest request, Pod pod, String key,
             String loggedKey, boolean clientKeepAlive, boolean http10, TimeoutsConfig timeouts, RequestMetrics metrics,
             AccessLog accessLog, long started, long lookupNanos, String routeLabel, String upgrade) {
        this.upgrade = upgrade;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.started = started;
        this.lookupNanos = lookupNanos;
        this.routeLabel = routeLabel;
        this.frontend = frontend;
        this.client = client;
        this.request = request;
        this.pod = pod;
        this.key = key;
        this.loggedKey = loggedKey;
        this.ownsRequest = request instanceof ReferenceCounted;
        this.clientKeepAlive = clientKeepAlive;
        this.http10 = http10;
        this.head = HttpMethod.HEAD.equals(request.method());
        this.timeouts = timeouts;
    }

    void start() {
        takeServer(null);
    }

    private void takeServer(Server avoid) {
        Server s = pod.acquire(key, avoid, client.channel().eventLoop(), this);
        if (s != null) {
            granted(s);
        }
    }

    @Override
    public void granted(Server granted) {
        if (done) {
            pod.release(granted);
            return;
        }
        server = granted;
        holdsSlot = true;
        grantedAt = System.nanoTime();
        EventLoop loop = client.channel().eventLoop();
        Channel idle = freshConnection ? null : server.pool().pollIdle(loop);
        if (idle != null) {
            reusedConnection = true;
            attach(idle);
            return;
        }
        reusedConnection = false;
        Server connectingTo = server;
        ChannelFuture connecting = server.pool().connect(loop);
        if (connecting.isDone()) {
            connected(connectingTo, connecting);
        } else {
            connecting.addListener((ChannelFuture f) -> connected(connectingTo, f));
        }
    }

    @Override
    public void refused(Pod.Refusal refusal) {
        if (!done) {
            fail(refusal.status, refusal.reason + " (pod " + pod + ")", true);
        }
    }

    private void connected(Server to, ChannelFuture f) {
        if (done || to != server) {
            // The exchange ended while we connected: keep the fresh connection for the next request.
            if (f.isSuccess()) {
                to.pool().release(f.channel());
            }
            return;
        }
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            boolean timedOut = cause instanceof ConnectTimeoutException;
            String reason = (timedOut ? "connect to " : "cannot connect to ") + server
                    + (timedOut ? " timed out" : ": " + cause.getMessage());
            server.failed(reason);
            // Nothing was sent: any request may try another server, once.
            if (!retry(reason)) {
                fail(timedOut ? 504 : 502, reason, true);
            }
            return;
        }
        attach(f.channel());
    }

    /** Tries another server after a failure that sent the server nothing usable; false when it may not. */
    private boolean retry(String reason) {
        if (retried || responseStarted || bodySent || !pod.hasOtherServerUp(server)) {
            return false;
        }
        retried = true;
        Server failed = server;
        log.info("retrying {} {} (Host: {}) on another server of pod {}: {}", request.method(),
                LogText.clip(request.uri()), LogText.clip(request.headers().get(HttpHeaderNames.HOST)), pod, reason);
        if (upstream != null) {
            releaseUpstream(false);
            upstream = null;
        }
        cancelServerTimeout();
        releaseSlot();
        server = null;
        takeServer(failed);
        return true;
    }

    private void attach(Channel ch) {
        attachedAt = System.nanoTime();
        upstream = ch;
        upstreamHandler = (UpstreamHandler) ch.pipeline().get(PipelineNames.UPSTREAM);
        upstreamHandler.bind(this);
        if (ownsRequest && !retried) {
            ((ReferenceCounted) request).retain(); // the write takes one; one stays for a retry
        } else {
            ownsRequest = false; // the last write it can get: it takes this exchange's reference
        }
        upstream.write(request, upstream.voidPromise());
        if (requestComplete) {
            // A retry of a request without body: its end was already taken from the client (or,
            // for an HTTP/2 stream's whole request in one message, was part of it).
            if (!(request instanceof LastHttpContent)) {
                upstream.write(LastHttpContent.EMPTY_LAST_CONTENT, upstream.voidPromise());
            }
            upstream.flush();
            scheduleServerTimeout();
        } else if (request instanceof LastHttpContent) {
            requestSent();
        }
        frontend.drainWaiting();
    }

    boolean acceptsRequestContent() {
        return upstream != null && !requestComplete && !done;
    }

    void forwardRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            String why = String.valueOf(content.decoderResult().cause().getMessage());
            content.release();
            log.info("400 for {} {} from {}: malformed request body ({})", request.method(),
                    LogText.clip(request.uri()), frontend.peerAddress(), why);
            fail(400, "malformed request body", false);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (content.content().isReadable() || (last && !((LastHttpContent) content).trailingHeaders().isEmpty())) {
            bodySent = true;
        }
        upstream.write(content, upstream.voidPromise());
        if (last) {
            requestSent();
        }
        if (!upstream.isWritable()) {
            frontend.pause(FrontendHandler.PAUSED_BY_UPSTREAM);
        }
    }

    private void requestSent() {
        requestComplete = true;
        requestSentAt = System.nanoTime();
        if (!responseStarted) {
            scheduleServerTimeout();
        }
    }

    private void scheduleServerTimeout() {
        serverTimeout = client.channel().eventLoop()
                .schedule(this::serverTimedOut, timeouts.server().toNanos(), TimeUnit.NANOSECONDS);
    }

    void flushUpstream() {
        if (upstream != null && !done) {
            upstream.flush();
        }
    }

    void onResponse(HttpObject msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            onResponseHead(response);
        } else {
            onResponseContent((HttpContent) msg);
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            String why = String.valueOf(response.decoderResult().cause().getMessage());
            ReferenceCountUtil.release(response);
            serverBroken("invalid response from " + server + ": " + why);
            return;
        }
        if (response.protocolVersion().majorVersion() != 1) {
            String version = response.protocolVersion().text();
            ReferenceCountUtil.release(response);
            serverBroken(server + " answered in " + version + ", not HTTP/1.x");
            return;
        }
        int code = response.status().code();
        if (code == 101) {
            if (upgrade == null || !requestComplete) {
                ReferenceCountUtil.release(response);
                serverBroken(server + " switched protocols without being asked");
                return;
            }
            switchProtocols(response);
            return;
        }
        boolean serverKeepsAlive = HttpUtil.isKeepAlive(response);
        HopByHopHeaders.strip(response.headers());
        response.headers().set(RequestId.X_REQUEST_ID, frontend.requestId());
        // The status line is the router's own, as for requests (RFC 9110 6.2): whether the client
        // connection persists is the router's decision, told by Connection below, not the server's version.
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (code < 200) {
            // 100 Continue and other interim answers go through; the final response is still to come.
            interimResponse = true;
            client.write(response, client.voidPromise());
            return;
        }
        cancelServerTimeout();
        responseStarted = true;
        releaseRequest();
        responseStatus = code;
        responseAt = System.nanoTime();
        responseKeepAlive = serverKeepsAlive;
        if (code >= 500) {
            server.failed("answered " + code);
        } else {
            server.succeeded();
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        if (http10 && chunked) {
            // HTTP/1.0 has no chunked coding: send the body as is and end it by closing.
            response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            chunked = false;
        }
        if (frontend.draining()) {
            clientKeepAlive = false;
        }
        boolean framed = head || chunked || code == 204 || code == 304 || HttpUtil.isContentLengthSet(response);
        if (!framed) {
            clientKeepAlive = false;
        }
        if (!clientKeepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        client.write(response, client.voidPromise());
    }

    private void onResponseContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            String why = String.valueOf(content.decoderResult().cause().getMessage());
            content.release();
            serverBroken("invalid response body from " + server + ": " + why);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        bytesOut += content.content().readableBytes();
        client.write(content, client.voidPromise());
        if (interimResponse) {
            if (last) {
                interimResponse = false;
            }
            return;
        }
        if (last) {
            complete();
        } else if (!client.channel().isWritable()) {
            upstream.config().setAutoRead(false);
        }
    }

    /**
     * The server agreed to switch protocols: the 101 goes to the client, and both connections
     * become one byte tunnel. The server's slot is given back (a tunnel is not a request in flight).
     */
    private void switchProtocols(HttpResponse response) {
        cancelServerTimeout();
        responseStarted = true;
        releaseRequest();
        responseStatus = 101;
        done = true;
        String agreed = response.headers().get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(response.headers());
        response.headers().set(HttpHeaderNames.UPGRADE, agreed == null ? upgrade : agreed)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        client.writeAndFlush(response, client.voidPromise());
        upstreamHandler.unbind();
        ChannelPipeline p = upstream.pipeline();
        long idle = timeouts.tunnel().toMillis();
        p.replace(PipelineNames.IDLE, PipelineNames.IDLE, new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        p.addLast(PipelineNames.TUNNEL, new TunnelHandler(client.channel()));
        p.remove(PipelineNames.UPSTREAM);
        p.remove(PipelineNames.HTTP_CODEC);
        releaseSlot();
        record(101);
        frontend.switchToTunnel(upstream);
    }

    void onUpstreamReadComplete() {
        client.flush();
    }

    private void complete() {
        done = true;
        cancelServerTimeout();
        client.flush();
        releaseUpstream(requestComplete && responseKeepAlive);
        releaseSlot();
        record(responseStatus);
        frontend.exchangeFinished(clientKeepAlive && requestComplete);
    }

    private void serverTimedOut() {
        serverTimeout = null;
        if (!done && !responseStarted) {
            fail(504, "no response from " + server + " within " + Sizes.formatDuration(timeouts.server()), true);
        }
    }

    /** The server sent something unusable: 502 if the client has had nothing yet, else cut the client off. */
    private void serverBroken(String reason) {
        if (!responseStarted) {
            fail(502, reason, true);
        } else {
            abort(reason);
        }
    }

    /** No data from the server for timeouts.idle; only matters while its response body streams. */
    void serverSilent() {
        if (responseStarted && !done) {
            abort("no data from " + server + " for " + Sizes.formatDuration(timeouts.idle()));
        }
    }

    /** No data from the client for timeouts.client while its request body was still coming. */
    boolean clientSilent() {
        if (done || requestComplete) {
            return false;
        }
        String reason = "no request data from the client for " + Sizes.formatDuration(timeouts.client());
        if (responseStarted) {
            abort(reason);
        } else {
            log.info("408 for {} {} from {}: {}", request.method(), LogText.clip(request.uri()), frontend.peerAddress(), reason);
            fail(408, reason, false);
        }
        return true;
    }

    void upstreamClosed() {
        upstreamFailed(null);
    }

    /** The server connection failed ({@code why}) or closed (null) while this exchange used it. */
    void upstreamFailed(String why) {
        if (done) {
            return;
        }
        // The keep-alive race: a server closes an idle connection just as it is reused. That is
        // no failure of the server (it closed a connection it had every right to close).
        boolean race = reusedConnection && !responseStarted && !interimResponse;
        if (why != null && !race) {
            server.failed(why);
        }
        if (!responseStarted) {
            String reason = why == null ? server + " closed the connection before responding"
                    : "connection to " + server + " failed: " + why;
            // The request may not have been seen, but it was sent, so only a method safe to repeat
            // (RFC 9110 §9.2.2) is sent again: once, on a fresh connection, to the same server if
            // it is the pod's only one up (as nginx and HAProxy do).
            if (race && isIdempotent() && retryOnFreshConnection(reason)) {
                return;
            }
            fail(502, reason, true);
        } else {
            abort(why == null ? server + " closed the connection in the middle of the response"
                    : "connection to " + server + " failed in the middle of the response: " + why);
        }
    }

    /** Sends the request once more after its reused connection closed under it; false when it may not. */
    private boolean retryOnFreshConnection(String reason) {
        if (retried || bodySent) {
            return false;
        }
        retried = true;
        freshConnection = true;
        Server closedOn = server;
        boolean elsewhere = pod.hasOtherServerUp(closedOn);
        log.info("retrying {} {} (Host: {}) on a new connection to {} of pod {}: {}", request.method(),
                LogText.clip(request.uri()), LogText.clip(request.headers().get(HttpHeaderNames.HOST)),
                elsewhere ? "another server" : "the same server", pod, reason);
        releaseUpstream(false);
        upstream = null;
        cancelServerTimeout();
        releaseSlot();
        server = null;
        takeServer(closedOn);
        return true;
    }

    /** The request will not be written (again): the reference this exchange holds, if any, goes. */
    private void releaseRequest() {
        if (ownsRequest) {
            ownsRequest = false;
            ReferenceCountUtil.release(request);
        }
    }

    void clientClosed() {
        if (done) {
            return;
        }
        done = true;
        releaseRequest();
        cancelServerTimeout();
        if (upstream != null) {
            releaseUpstream(false);
        }
        if (server == null) {
            pod.cancel(this);
        }
        releaseSlot();
        record(RequestMetrics.CLIENT_CLOSED);
    }

    private void record(int status) {
        pod.responses().count(status);
        metrics.observe(started);
        if (accessLog != null) {
            long now = System.nanoTime();
            accessLog.add(new AccessRecord(System.currentTimeMillis() - (now - started) / 1_000_000, frontend.peerAddress(),
                    request.method().name(), request.uri(), http10 ? "HTTP/1.0" : "HTTP/1.1",
                    loggedKey, pod.name(), server == null ? null : server.toString(),
                    status, bytesOut, routeLabel, micros(lookupNanos),
                    grantedAt == 0 ? -1 : micros(grantedAt - started - Math.max(lookupNanos, 0)),
                    attachedAt == 0 ? -1 : micros(attachedAt - grantedAt),
                    responseAt == 0 || requestSentAt == 0 ? -1 : micros(responseAt - requestSentAt),
                    micros(now - started), frontend.requestId()));
        }
    }

    private static long micros(long nanos) {
        return nanos < 0 ? -1 : nanos / 1000;
    }

    private boolean isIdempotent() {
        HttpMethod m = request.method();
        return HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m) || HttpMethod.PUT.equals(m)
                || HttpMethod.DELETE.equals(m) || HttpMethod.OPTIONS.equals(m) || HttpMethod.TRACE.equals(m);
    }

    private void releaseSlot() {
        if (holdsSlot) {
            holdsSlot = false;
            pod.release(server);
        }
    }

    void clientWritabilityChanged(boolean writable) {
        if (writable && upstream != null && !done) {
            upstream.config().setAutoRead(true);
        }
    }

    void upstreamWritabilityChanged(boolean writable) {
        if (done) {
            return;
        }
        if (writable) {
            frontend.resume(FrontendHandler.PAUSED_BY_UPSTREAM);
        } else {
            frontend.pause(FrontendHandler.PAUSED_BY_UPSTREAM);
        }
    }

    /** Ends the exchange before any response byte reached the client, answering {@code status}. */
    private void fail(int status, String reason, boolean keepClientIfPossible) {
        done = true;
        releaseRequest();
        cancelServerTimeout();
        if (upstream != null) {
            releaseUpstream(false);
        }
        if (server == null) {
            pod.cancel(this);
        }
        releaseSlot();
        record(status);
        if (status >= 500) {
            log.warn("{} for {} {} (Host: {}) from {}: {}", status, request.method(), LogText.clip(request.uri()),
                    LogText.clip(request.headers().get(HttpHeaderNames.HOST)), frontend.peerAddress(), reason);
        }
        // A request without body whose end still waits unread can keep its connection: the end is dropped.
        boolean rest = requestComplete || !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
        frontend.exchangeFailed(status, status >= 500 ? statusText(status) : reason,
                keepClientIfPossible && clientKeepAlive && rest, !requestComplete);
    }

    private static String statusText(int status) {
        return switch (status) {
            case 502 -> "the server could not be reached or answered badly";
            case 503 -> "no server is available for this request right now";
            case 504 -> "the server did not answer in time";
            default -> "the request could not be served";
        };
    }

    private void abort(String reason) {
        done = true;
        releaseRequest();
        cancelServerTimeout();
        log.warn("response to {} {} (Host: {}) cut short: {}", request.method(), LogText.clip(request.uri()),
                LogText.clip(request.headers().get(HttpHeaderNames.HOST)), reason);
        if (upstream != null) {
            releaseUpstream(false);
        }
        releaseSlot();
        record(responseStatus);
        frontend.exchangeAborted();
    }

    private void releaseUpstream(boolean reusable) {
        upstreamHandler.unbind();
        if (!upstream.config().isAutoRead()) {
            upstream.config().setAutoRead(true);
        }
        if (reusable) {
            server.pool().release(upstream);
        } else {
            upstream.close();
        }
    }

    private void cancelServerTimeout() {
        if (serverTimeout != null) {
            serverTimeout.cancel(false);
            serverTimeout = null;
        }
    }
}
