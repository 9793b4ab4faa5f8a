package io.podrouter.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.ByteProcessor;
import io.podrouter.proxy.ProxySettings;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a plain listener with {@code h2c: true}: a client whose first bytes are the HTTP/2 connection
 * preface gets HTTP/2 (prior knowledge); a client whose first line is an HTTP/1.x request line
 * keeps HTTP/1.1. Either way this handler leaves, and the bytes it looked at go on to the chosen
 * codec. A client that starts with neither is closed without an answer: it may be an HTTP/2
 * client with a broken preface, which must not be answered in HTTP/1.1 (RFC 9113 §3.4).
 */
final class PriorKnowledgeDetector extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(PriorKnowledgeDetector.class);
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    /** " HTTP/1." ends every HTTP/1.x request line but for its last digit. */
    private static final byte[] VERSION = {' ', 'H', 'T', 'T', 'P', '/', '1', '.'};

    private final Supplier<ProxySettings> settings;

    PriorKnowledgeDetector(Supplier<ProxySettings> settings) {
        this.settings = settings;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
            if (n == PREFACE.readableBytes()) {
                ProtocolNegotiation.switchToHttp2(ctx.pipeline(), settings, false, false);
                ctx.pipeline().remove(this);
            }
            return;
        }
        int start = in.forEachByte(b -> b == '\r' || b == '\n'); // empty lines may precede a request (RFC 9112 §2.2)
        int end = start < 0 ? -1 : in.forEachByte(start, in.writerIndex() - start, ByteProcessor.FIND_LF);
        if (end < 0) {
            if (in.readableBytes() > settings.get().limits().maxRequestLine()) {
                ctx.pipeline().remove(this); // the HTTP/1.1 codec answers 414
            }
            return;
        }
        if (isHttp1RequestLine(in, start, end)) {
            ctx.pipeline().remove(this);
            return;
        }
        log.info("closing a client {} on an h2c listener that sent neither the HTTP/2 preface nor an HTTP/1.x request",
                ctx.channel().remoteAddress());
        in.skipBytes(in.readableBytes());
        ctx.close();
    }

    /** Whether the line from start to the LF at end ends with " HTTP/1.d" (and an optional CR). */
    private static boolean isHttp1RequestLine(ByteBuf in, int start, int end) {
        int last = end - 1;
        if (last >= start && in.getByte(last) == '\r') {
            last--;
        }
        int from = last - VERSION.length;
        if (from < start || !Character.isDigit(in.getByte(last))) {
            return false;
        }
        for (int i = 0; i < VERSION.length; i++) {
            if (in.getByte(from + i) != VERSION[i]) {
                return false;
            }
        }
        return true;
    }
}
