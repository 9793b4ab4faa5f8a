package io.podrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The router's own answers: a status and a one-line text body saying why. */
final class ErrorResponse {
    private ErrorResponse() {
    }

    static FullHttpResponse of(ByteBufAllocator alloc, int status, String reason, boolean keepAlive) {
        HttpResponseStatus s = HttpResponseStatus.valueOf(status);
        byte[] text = (status + " " + s.reasonPhrase() + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(text.length).writeBytes(text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** What the body says of a 5xx the router answers for a server (the details are for the log, not the client). */
    static String serverErrorText(int status) {
        return switch (status) {
            case 502 -> "the server could not be reached or answered badly";
            case 503 -> "no server is available for this request right now";
            case 504 -> "the server did not answer in time";
            default -> "the request could not be served";
        };
    }
}
