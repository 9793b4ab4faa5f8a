package io.podrouter.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import io.podrouter.backend.Pod;
import io.podrouter.config.Sizes;
import io.podrouter.http.LogBurst;
import io.podrouter.http.LogText;
import io.podrouter.routing.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, relayed between a client connection ({@link ClientSide}) and a
 * server connection that both live on the same event loop. Bodies stream part by part; when one
 * side cannot take more, reading from the other side pauses until it can.
 */
final class Exchange extends ServerLeg {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final LogBurst FAILURES_LOGGED = new LogBurst(50, java.time.Duration.ofSeconds(10)); // 5xx lines

    private final ClientSide client;
    private final ChannelHandlerContext clientContext;
    private final HttpRequest request;
    /** The routing key for the access log, as it came (null without an access log). */
    private final String loggedKey;
    private final boolean http10;
    private final boolean head;
    /** The protocol the client asked to switch to, or null. */
    private final String upgrade;
    private final ProxySettings settings;
    private final ExchangeTimings timings;
    private boolean clientKeepAlive;

    private boolean retried;
    /**
     * This exchange holds a reference to its request: a reference-counted one (an HTTP/2 stream's
     * whole request in one message) until it is written, and past the first write one kept so that
     * a retry can send it again. Whatever way the exchange ends, a reference it holds is released.
     */
    private boolean ownsRequest;
    /** Some request body bytes went to the server: the request cannot be sent again. */
    private boolean bodySent;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean responseKeepAlive;
    private boolean interimResponse;
    private boolean done;
    private int responseStatus;
    private long bytesOut;

    /**
     * @param request the request as rewritten for the server ({@link RequestHead})
     * @param clientKeepAlive the client asked to keep its connection open
     * @param http10 the client spoke HTTP/1.0
     */
    Exchange(ClientSide client, HttpRequest request, Pod pod, String key, String loggedKey, boolean clientKeepAlive,
             boolean http10, String upgrade, ExchangeTimings timings, ProxySettings settings) {
        super(pod, key, client.context().channel().eventLoop());
        this.client = client;
        this.clientContext = client.context();
        this.request = request;
        this.loggedKey = loggedKey;
        this.clientKeepAlive = clientKeepAlive;
        this.http10 = http10;
        this.head = HttpMethod.HEAD.equals(request.method());
        this.upgrade = upgrade;
        this.timings = timings;
        this.settings = settings;
        this.ownsRequest = request instanceof ReferenceCounted;
    }

    void start() {
        takeServer(null);
    }

    @Override
    boolean ended() {
        return done;
    }

    @Override
    void serverGranted() {
        timings.serverGranted();
    }

    @Override
    long connectionWaitNanos() {
        return settings.timeouts().queue().toNanos();
    }

    @Override
    public void refused(Pod.Refusal refusal) {
        if (!done) {
            fail(refusal.status, refusal.reason + " (pod " + pod + ")", true);
        }
    }

    @Override
    void connectFailed(Throwable cause) {
        boolean timedOut = cause instanceof ConnectTimeoutException;
        String reason = (timedOut ? "connect to " : "cannot connect to ") + server
                + (timedOut ? " timed out" : ": " + LogText.why(cause));
        server.failed(reason);
        RetryRule.Verdict verdict = RetryRule.afterConnectFailure(retried, responseStarted, bodySent,
                pod.hasOtherServerUp(server));
        if (!retry(verdict, "another server", reason)) {
            fail(timedOut ? 504 : 502, reason, true);
        }
    }

    /** Sends the request again, avoiding the server that failed it, when {@code verdict} says so; counts the verdict. */
    private boolean retry(RetryRule.Verdict verdict, String where, String reason) {
        settings.metrics().countRetry(verdict);
        if (verdict != RetryRule.Verdict.RETRY) {
            return false;
        }
        retried = true;
        log.info("retrying {} on {} of pod {}: {}", this, where, pod, reason);
        cancelServerTimeout();
        takeServer(releaseForRetry());
        return true;
    }

    @Override
    void attached() {
        timings.connectionAttached();
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
        client.takeWaiting();
    }

    boolean acceptsRequestContent() {
        return upstream != null && !requestComplete && !done;
    }

    void forwardRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            String why = String.valueOf(content.decoderResult().cause().getMessage());
            content.release();
            log.info("400 for {} {} from {}: {} ({})", request.method(), LogText.clip(request.uri()),
                    client.peerAddress(), RequestChecks.MALFORMED_BODY.reason(), why);
            fail(RequestChecks.MALFORMED_BODY.status(), RequestChecks.MALFORMED_BODY.reason(), false);
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
            client.readGate().pause(ReadGate.PEER);
        }
    }

    private void requestSent() {
        requestComplete = true;
        timings.requestSent();
        if (!responseStarted) {
            scheduleServerTimeout();
        }
    }

    private void scheduleServerTimeout() {
        upstreamHandler.responseDeadline().start(settings.timeouts().server().toNanos());
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
        String unusable = ResponseHead.unusable(response, server, upgrade != null && requestComplete);
        if (unusable != null) {
            ReferenceCountUtil.release(response);
            serverBroken(unusable);
            return;
        }
        int code = response.status().code();
        if (code == 101) {
            switchProtocols(response);
            return;
        }
        boolean serverKeepsAlive = ResponseHead.forClient(response, client.requestId());
        if (code < 200) {
            // 100 Continue and other interim answers go through; the final response is still to come.
            interimResponse = true;
            clientContext.write(response, clientContext.voidPromise());
            return;
        }
        cancelServerTimeout();
        responseStarted = true;
        releaseRequest();
        responseStatus = code;
        timings.responseArrived();
        responseKeepAlive = serverKeepsAlive;
        if (code >= 500) {
            server.failed("answered " + code);
        } else {
            server.succeeded();
        }
        clientKeepAlive = ResponseHead.frame(response, http10, head, clientKeepAlive && !client.routerStopping());
        clientContext.write(response, clientContext.voidPromise());
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
        clientContext.write(content, clientContext.voidPromise());
        if (interimResponse) {
            if (last) {
                interimResponse = false;
            }
            return;
        }
        if (last) {
            clientContext.flush();
            end(responseStatus, requestComplete && responseKeepAlive);
            client.finished(clientKeepAlive && requestComplete);
        } else if (!clientContext.channel().isWritable()) {
            upstreamGate.pause(ReadGate.PEER);
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
        ResponseHead.switching(response, upgrade);
        clientContext.writeAndFlush(response, clientContext.voidPromise());
        handOver();
        TunnelHandler.install(upstream.pipeline(), upstreamGate, clientContext.channel(), client.readGate(),
                settings.timeouts().tunnel().toMillis(), PipelineNames.UPSTREAM);
        record(101);
        client.switchedToTunnel(upstream, upstreamGate);
    }

    void onUpstreamReadComplete() {
        clientContext.flush();
    }

    /** The server connection's response deadline passed ({@link ResponseDeadline}). */
    void serverTimedOut() {
        if (!done && !responseStarted) {
            fail(504, "no response from " + server + " within " + Sizes.formatDuration(settings.timeouts().server()), true);
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

    /** No data from the server for settings.timeouts().idle; only matters while its response body streams. */
    void serverSilent() {
        if (responseStarted && !done) {
            abort("no data from " + server + " for " + Sizes.formatDuration(settings.timeouts().idle()));
        }
    }

    /** No data from the client for timeouts.client while its request body was still coming. */
    void clientSilent() {
        if (done || requestComplete) {
            return;
        }
        Route.Refused silent = RequestChecks.clientSilent(settings.timeouts().client());
        if (responseStarted) {
            abort(silent.reason());
        } else {
            log.info("408 for {} {} from {}: {}", request.method(), LogText.clip(request.uri()), client.peerAddress(), silent.reason());
            fail(silent.status(), silent.reason(), false);
        }
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
        if (responseStarted) {
            abort(why == null ? server + " closed the connection in the middle of the response"
                    : "connection to " + server + " failed in the middle of the response: " + why);
            return;
        }
        String reason = why == null ? server + " closed the connection before responding"
                : "connection to " + server + " failed: " + why;
        if (race) {
            RetryRule.Verdict verdict = RetryRule.afterKeepAliveRace(retried, bodySent, request.method());
            String where = pod.hasOtherServerUp(server) ? "a new connection to another server"
                    : "a new connection to the same server";
            freshConnection = verdict == RetryRule.Verdict.RETRY;
            if (retry(verdict, where, reason)) {
                return;
            }
        }
        fail(502, reason, true);
    }

    /** The request will not be written (again): the reference this exchange holds, if any, goes. */
    private void releaseRequest() {
        if (ownsRequest) {
            ownsRequest = false;
            ReferenceCountUtil.release(request);
        }
    }

    void clientClosed() {
        if (!done) {
            end(RequestMetrics.CLIENT_CLOSED, false);
        }
    }

    /**
     * Ends the exchange, answered {@code status}: whatever it holds (the request, the server
     * connection, its place in the queue or its server slot, its response deadline) is given back, and the
     * request is counted and logged. {@code reuseUpstream}: the server connection goes back to the pool.
     */
    private void end(int status, boolean reuseUpstream) {
        done = true;
        releaseRequest();
        cancelServerTimeout();
        releaseServer(reuseUpstream);
        record(status);
    }

    private void record(int status) {
        pod.responses().count(status);
        settings.metrics().observe(timings.headAt());
        if (settings.accessLog() != null) {
            settings.accessLog().add(timings.record(client.peerAddress(), request.method().name(), request.uri(),
                    http10 ? "HTTP/1.0" : "HTTP/1.1", loggedKey, pod.name(), server == null ? null : server.toString(),
                    status, bytesOut, client.requestId()));
        }
    }

    void clientWritabilityChanged(boolean writable) {
        if (writable && upstream != null && !done) {
            upstreamGate.resume(ReadGate.PEER);
        }
    }

    void upstreamWritabilityChanged(boolean writable) {
        if (!done && writable) {
            client.readGate().resume(ReadGate.PEER);
        } else if (!done) {
            client.readGate().pause(ReadGate.PEER);
        }
    }

    /** Ends the exchange before any response byte reached the client, answering {@code status}. */
    private void fail(int status, String reason, boolean keepClientIfPossible) {
        end(status, false);
        long heldBack;
        if (status >= 500 && (heldBack = FAILURES_LOGGED.admit()) >= 0) {
            log.warn("{} for {} from {}: {}{}", status, this, client.peerAddress(), reason, LogBurst.leftOut(heldBack));
        }
        // A request without body whose end still waits unread can keep its connection: the end is dropped.
        boolean rest = requestComplete || !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
        client.failed(status, status >= 500 ? ErrorResponse.serverErrorText(status) : reason,
                keepClientIfPossible && clientKeepAlive && rest, !requestComplete);
    }

    /** Ends the exchange after part of the response was written: the client connection can only close. */
    private void abort(String reason) {
        log.warn("response to {} cut short: {}", this, reason);
        end(responseStatus, false);
        client.aborted();
    }

    private void cancelServerTimeout() {
        if (upstream != null) {
            upstreamHandler.responseDeadline().clear();
        }
    }

    /** The request as the log shows it: method, target and Host. */
    @Override
    public String toString() {
        return request.method() + " " + LogText.clip(request.uri()) + " (Host: "
                + LogText.clip(request.headers().get(HttpHeaderNames.HOST)) + ")";
    }
}
