package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Iterator;

/**
 * Checks on a decoded request head that Netty's decoder leaves to us. Netty already refuses
 * Content-Length with Transfer-Encoding, non-numeric Content-Length, bare LF, whitespace before a
 * colon and control characters; {@link StrictRequestDecoder} refuses obs-fold and a repeated
 * Content-Length (which Netty lets through in HTTP/1.0).
 */
final class RequestChecks {
    private RequestChecks() {
    }

    /** Why the request must be refused, or null when it may be forwarded. */
    static String problem(HttpRequest request) {
        if (HttpMethod.CONNECT.equals(request.method())) {
            return "CONNECT is not supported by a reverse proxy";
        }
        HttpHeaders headers = request.headers();
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(HttpHeaderNames.TRANSFER_ENCODING);
            CharSequence first = values.next();
            if (values.hasNext() || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(first)) {
                return "Transfer-Encoding other than 'chunked'";
            }
        }
        return null;
    }
}
