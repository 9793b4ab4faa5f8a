package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.Queue;

/**
 * Netty's response decoder for server connections, told which request each response answers
 * (a response to HEAD has no body however it is framed), and sparing the copies it would make of
 * what nearly every response repeats: the version, the status code and reason phrase of the
 * usual statuses, and the common header names ({@link CommonHeaderNames}). Those become the
 * shared constants instead of new strings per response.
 */
final class ServerResponseDecoder extends HttpResponseDecoder {
    private static final String HTTP_1_1 = "HTTP/1.1"; // the literal: Netty's own constant, so its fast path
    private static final String HTTP_1_0 = "HTTP/1.0";
    private static final String[] CODES = new String[600];

    static {
        for (int code = 100; code < CODES.length; code++) {
            CODES[code] = Integer.toString(code);
        }
    }

    private final Queue<HttpMethod> methods;
    private int code;

    /** @param methods the method of each request sent and not yet answered, oldest first */
    ServerResponseDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
        super(config);
        this.methods = methods;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        HttpResponseStatus status = ((HttpResponse) msg).status();
        // An interim response (100, 103) answers no request on its own: the final one follows.
        if (status.codeClass() != HttpStatusClass.INFORMATIONAL && HttpMethod.HEAD.equals(methods.poll())) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected String splitFirstWordInitialLine(byte[] bytes, int start, int length) {
        if (length == 8 && startsWith(bytes, start, HTTP_1_1, 8)) {
            return HTTP_1_1;
        }
        if (length == 8 && startsWith(bytes, start, HTTP_1_0, 8)) {
            return HTTP_1_0;
        }
        return super.splitFirstWordInitialLine(bytes, start, length);
    }

    @Override
    protected String splitSecondWordInitialLine(byte[] bytes, int start, int length) {
        code = -1;
        if (length == 3) {
            int c = digit(bytes[start]) * 100 + digit(bytes[start + 1]) * 10 + digit(bytes[start + 2]);
            if (c >= 100 && c < CODES.length) {
                code = c;
                return CODES[c];
            }
        }
        return super.splitSecondWordInitialLine(bytes, start, length);
    }

    @Override
    protected String splitThirdWordInitialLine(byte[] bytes, int start, int length) {
        if (code > 0) {
            // The status line is split in order: this is the reason phrase after that code.
            String usual = HttpResponseStatus.valueOf(code).reasonPhrase();
            if (usual.length() == length && startsWith(bytes, start, usual, length)) {
                return usual;
            }
        }
        return super.splitThirdWordInitialLine(bytes, start, length);
    }

    @Override
    protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
        AsciiString known = CommonHeaderNames.find(bytes, start, length);
        return known != null ? known : super.splitHeaderName(bytes, start, length);
    }

    private static int digit(byte b) {
        return b >= '0' && b <= '9' ? b - '0' : -1000;
    }

    private static boolean startsWith(byte[] bytes, int start, String text, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[start + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
