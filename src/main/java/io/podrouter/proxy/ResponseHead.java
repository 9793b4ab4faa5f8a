package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** What a server's response head becomes on its way to the client. */
final class ResponseHead {
    private ResponseHead() {
    }

    /**
     * Why a server's response head cannot go to the client, or null when it can: it could not be
     * decoded, it is not HTTP/1.x, or it switches protocols when that was not asked.
     *
     * @param mayswitch the request asked to switch protocols, and all of it was sent
     */
    static String unusable(HttpResponse response, Object server, boolean maySwitch) {
        if (response.decoderResult().isFailure()) {
            return "invalid response from " + server + ": " + response.decoderResult().cause().getMessage();
        }
        if (response.protocolVersion().majorVersion() != 1) {
            return server + " answered in " + response.protocolVersion().text() + ", not HTTP/1.x";
        }
        if (response.status().code() == 101 && !maySwitch) {
            return server + " switched protocols without being asked";
        }
        return null;
    }

    /**
     * Rewrites any response (interim or final) for the client: the hop-by-hop headers go, the
     * request id is set, and the status line is the router's own HTTP/1.1, as for requests (RFC
     * 9110 6.2): whether the client connection persists is the router's decision, told by
     * Connection, not the server's version.
     *
     * @return whether the server keeps its connection open after this response
     */
    static boolean forClient(HttpResponse response, String requestId) {
        boolean serverKeepsAlive = HttpUtil.isKeepAlive(response);
        HopByHopHeaders.strip(response.headers());
        response.headers().set(RequestId.X_REQUEST_ID, requestId);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        return serverKeepsAlive;
    }

    /**
     * Frames a final response for the client and says in Connection whether its connection stays.
     * It cannot stay when the body's end is known only by closing; HTTP/1.0 has no chunked coding,
     * so there the body goes as it is and ends by closing.
     *
     * @param keepAlive whether the client connection may stay open, as far as the rest is concerned
     * @return whether the client connection stays open after this response
     */
    static boolean frame(HttpResponse response, boolean http10, boolean head, boolean keepAlive) {
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        if (http10 && chunked) {
            response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            chunked = false;
        }
        int code = response.status().code();
        boolean framed = head || chunked || code == 204 || code == 304 || HttpUtil.isContentLengthSet(response);
        boolean stays = keepAlive && framed;
        if (!stays) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return stays;
    }

    /** A 101 for the client: only the protocol switched to, named as the server agreed or else as asked. */
    static void switching(HttpResponse response, String requested) {
        String agreed = response.headers().get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(response.headers());
        response.headers().set(HttpHeaderNames.UPGRADE, agreed == null ? requested : agreed)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
}
