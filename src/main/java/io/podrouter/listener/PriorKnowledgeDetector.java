package io.podrouter.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.podrouter.proxy.ProxySettings;
import java.util.List;
import java.util.function.Supplier;

/**
 * On a plain listener with {@code h2c: true}: a client whose first bytes are the HTTP/2 connection
 * preface gets HTTP/2 (prior knowledge); any other client keeps HTTP/1.1. Either way this handler
 * leaves, and the bytes it looked at go on to the chosen codec.
 */
final class PriorKnowledgeDetector extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Supplier<ProxySettings> settings;

    PriorKnowledgeDetector(Supplier<ProxySettings> settings) {
        this.settings = settings;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
            ctx.pipeline().remove(this);
            return;
        }
        if (n == PREFACE.readableBytes()) {
            ProtocolNegotiation.switchToHttp2(ctx.pipeline(), settings, false, false);
            ctx.pipeline().remove(this);
        }
    }
}
