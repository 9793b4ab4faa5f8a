package io.podrouter.directory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Answers an HTTP/0.9 "simple request", the kind the seed's HAProxy Lua sends to its directory
 * ({@code GET /rest/private/gds/backend/<host>\r\n}, then it reads to end of stream): the bare
 * answer, no status line nor headers, then the connection closes. Anything else (a request line
 * with a version) goes on, untouched, to the HTTP/1.1 codec behind this handler, which it leaves.
 */
final class SimpleRequestAnswerer extends ByteToMessageDecoder {
    /** Past this without a line end it is no simple request; the codec behind gives the right error. */
    private static final int MAX_LINE = 8 * 1024;

    private final Function<String, String> answerOf;
    private boolean answered;

    /** @param answerOf the body for a request path; null or empty: an empty answer (HTTP/0.9 has no 404) */
    SimpleRequestAnswerer(Function<String, String> answerOf) {
        this.answerOf = answerOf;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (answered) {
            in.skipBytes(in.readableBytes()); // one request per connection; the connection is closing
            return;
        }
        int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (eol < 0) {
            if (in.readableBytes() > MAX_LINE) {
                ctx.pipeline().remove(this);
            }
            return;
        }
        String line = in.toString(in.readerIndex(), eol - in.readerIndex(), StandardCharsets.ISO_8859_1).strip();
        String[] parts = line.split(" ");
        if (parts.length != 2 || !parts[0].equals("GET") || !parts[1].startsWith("/")) {
            ctx.pipeline().remove(this); // an HTTP/1.x request: what was read goes on to the codec
            return;
        }
        in.skipBytes(in.readableBytes());
        answered = true;
        String answer = answerOf.apply(parts[1]);
        byte[] body = (answer == null ? "" : answer).getBytes(StandardCharsets.UTF_8);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(body)).addListener(ChannelFutureListener.CLOSE);
    }
}
