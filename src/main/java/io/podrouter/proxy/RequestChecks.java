package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.podrouter.config.Sizes;
import io.podrouter.routing.RequestRouter;
import io.podrouter.routing.Route;
import java.time.Duration;
import java.util.Iterator;

/**
 * Every refusal made before a request is routed (the router's own 4xx besides those of routing,
 * which are {@link RequestRouter}'s), and the two an exchange can still make while the body comes. Netty already refuses Content-Length with
 * Transfer-Encoding, non-numeric Content-Length, bare LF, whitespace before a colon and control
 * characters; {@link StrictRequestDecoder} refuses obs-fold and a repeated Content-Length (which
 * Netty lets through in HTTP/1.0); the rest is checked here.
 */
final class RequestChecks {
    static final Route.Refused LINE_TOO_LONG = new Route.Refused(414, "request line too long");
    static final Route.Refused HEAD_TOO_LARGE = new Route.Refused(431, "request header fields too large");
    static final Route.Refused MALFORMED = new Route.Refused(400, "malformed request");
    static final Route.Refused CONNECT = new Route.Refused(405, "CONNECT is not supported by a reverse proxy");
    static final Route.Refused TRANSFER_CODING = new Route.Refused(400, "Transfer-Encoding other than 'chunked'");
    /** Refused once routed: part of the body could not be decoded. */
    static final Route.Refused MALFORMED_BODY = new Route.Refused(400, "malformed request body");

    private RequestChecks() {
    }

    /** Refused once routed: the body stopped coming for {@code timeout} (timeouts.client). */
    static Route.Refused clientSilent(Duration timeout) {
        return new Route.Refused(408, "no request data from the client for " + Sizes.formatDuration(timeout));
    }

    /**
     * Why the request must be refused, or null when it may be routed.
     *
     * @param requiredHost the server name the client's TLS handshake sent, when a request's Host
     *                     must match it (421 otherwise); else null
     */
    static Route.Refused refusal(HttpRequest request, String requiredHost, RequestRouter router) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            return cause instanceof TooLongHttpLineException ? LINE_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HEAD_TOO_LARGE : MALFORMED;
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            return CONNECT;
        }
        HttpHeaders headers = request.headers();
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(HttpHeaderNames.TRANSFER_ENCODING);
            CharSequence first = values.next();
            if (values.hasNext() || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(first)) {
                return TRANSFER_CODING;
            }
        }
        if (requiredHost != null) {
            String host = router.hostKeyOf(request);
            if (host != null && !host.equals(requiredHost)) {
                return new Route.Refused(421, "this connection is for " + requiredHost + ", not " + host);
            }
        }
        return null;
    }
}
