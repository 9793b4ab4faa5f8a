package io.podrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * The response encoder for client connections. It must know when the response answers a HEAD
 * request (no body, whatever the headers say); the proxy answers one request at a time per
 * connection, so a flag set at the start of each exchange is enough.
 */
final class ClientResponseEncoder extends HttpResponseEncoder {
    private boolean answeringHead;

    void answeringHead(boolean head) {
        this.answeringHead = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return answeringHead && msg.status().code() >= 200 || super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        if (headers instanceof ArrayHttpHeaders array) {
            array.encode(buf);
        } else {
            super.encodeHeaders(headers, buf);
        }
    }
}
