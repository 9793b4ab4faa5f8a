package io.podrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Netty's request decoder, plus the checks it leaves out: a request head containing obs-fold
 * (a header line continued on the next line by leading whitespace) is rejected instead of being
 * joined, because a proxy that joins it and a server that doesn't can disagree about the request.
 * So is a head with more than one Content-Length line: Netty refuses that in HTTP/1.1 but in
 * HTTP/1.0 silently keeps the first value, where another hop may take the last.
 *
 * <p>The head is checked once, when all of it has arrived (or when it is already larger than the
 * decoder's limits, which then reject it with 414 or 431).
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
    private static final int CR = '\r';
    private static final int LF = '\n';
    private static final String CONTENT_LENGTH_COLON = "content-length:";

    private final int headLimit;
    private boolean atMessageStart = true;
    private boolean rejected;

    StrictRequestDecoder(HttpDecoderConfig config) {
        super(config);
        this.headLimit = config.getMaxInitialLineLength() + config.getMaxHeaderSize() + 4;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (atMessageStart) {
            int verdict = scanHead(in);
            if (verdict == HEAD_INCOMPLETE) {
                return;
            }
            if (verdict == HEAD_FOLDED || verdict == HEAD_TWO_LENGTHS) {
                rejected = true;
                in.skipBytes(in.readableBytes());
                out.add(rejectedRequest(new IllegalArgumentException(verdict == HEAD_FOLDED
                        ? "obs-fold (a header continued on the next line)"
                        : "more than one Content-Length header")));
                return;
            }
        }
        int before = out.size();
        super.decode(ctx, in, out);
        for (int i = before; i < out.size(); i++) {
            Object msg = out.get(i);
            // A new head starts after the last part of a message; until then the decoder is in a body.
            atMessageStart = msg instanceof LastHttpContent;
        }
    }

    /** The common names are shared constants instead of a new AsciiString per header ({@link CommonHeaderNames}). */
    @Override
    protected AsciiString splitHeaderName(byte[] bytes, int start, int length) {
        AsciiString known = CommonHeaderNames.find(bytes, start, length);
        return known != null ? known : super.splitHeaderName(bytes, start, length);
    }

    private static final int HEAD_COMPLETE = 0;
    private static final int HEAD_INCOMPLETE = 1;
    private static final int HEAD_FOLDED = 2;
    private static final int HEAD_TWO_LENGTHS = 3;

    /**
     * Looks for a line starting with SP or HTAB between the request line and the blank line, and
     * for a second Content-Length line.
     */
    private int scanHead(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int i = start;
        // Netty skips control characters and whitespace before the request line; so do we.
        while (i < end && Character.isWhitespace(in.getByte(i))) {
            i++;
        }
        boolean firstLine = true;
        boolean lengthSeen = false;
        while (i < end) {
            int lf = in.indexOf(i, end, (byte) LF);
            if (lf < 0) {
                return end - start > headLimit ? HEAD_COMPLETE : HEAD_INCOMPLETE;
            }
            int lineLength = lf - i;
            if (lineLength > 0 && in.getByte(lf - 1) == CR) {
                lineLength--;
            }
            if (lineLength == 0) {
                return HEAD_COMPLETE;
            }
            if (!firstLine) {
                byte b = in.getByte(i);
                if (b == ' ' || b == '\t') {
                    return HEAD_FOLDED;
                }
                if (isContentLength(in, i, lineLength)) {
                    if (lengthSeen) {
                        return HEAD_TWO_LENGTHS;
                    }
                    lengthSeen = true;
                }
            }
            firstLine = false;
            i = lf + 1;
        }
        return end - start > headLimit ? HEAD_COMPLETE : HEAD_INCOMPLETE;
    }

    /** True when the header line at {@code start} is named Content-Length (whitespace before ':' is Netty's to refuse). */
    private static boolean isContentLength(ByteBuf in, int start, int lineLength) {
        int n = CONTENT_LENGTH_COLON.length();
        if (lineLength < n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (AsciiString.toLowerCase((char) in.getByte(start + k)) != CONTENT_LENGTH_COLON.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static FullHttpRequest rejectedRequest(Exception cause) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        request.setDecoderResult(DecoderResult.failure(cause));
        return request;
    }
}
