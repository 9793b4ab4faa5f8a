package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.podrouter.routing.RequestTarget;

/** What a routed request's head becomes on its way to the server. */
final class RequestHead {
    private RequestHead() {
    }

    /**
     * Rewrites {@code request} for its server: an absolute-form target becomes origin-form with
     * its authority as Host, the hop-by-hop headers go (but for an upgrade the server must be
     * asked for), X-Forwarded-* and X-Request-Id are set, and the version is the router's own
     * HTTP/1.1, as the connection to the server is.
     *
     * @return the protocol the client asks to switch to, or null
     */
    static String forServer(HttpRequest request, ForwardedHeaders forwarded, ForwardedHeaders.Peer peer, String scheme,
                            String requestId) {
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
        forwarded.apply(request.headers(), peer, host, scheme);
        request.headers().set(RequestId.X_REQUEST_ID, requestId);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        return upgrade;
    }
}
