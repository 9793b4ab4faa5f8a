package io.podrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * HTTP/1.1 codec for server connections: Netty's request encoder with {@link ServerResponseDecoder},
 * the encoder telling the decoder the method of each request it sends. This is what Netty's
 * HttpClientCodec does, less its handling of CONNECT (the router never sends one: a client's
 * CONNECT is refused before routing) and with the leaner decoder.
 */
public final class ServerHttpCodec extends CombinedChannelDuplexHandler<ServerResponseDecoder, HttpRequestEncoder> {
    public ServerHttpCodec(HttpDecoderConfig config) {
        Queue<HttpMethod> methods = new ArrayDeque<>(2);
        // Every response gets header and trailer maps of its own: array ones, far smaller (ArrayHttpHeaders).
        HttpDecoderConfig arrays = config.clone()
                .setHeadersFactory(ArrayHttpHeaders.HEADERS)
                .setTrailersFactory(ArrayHttpHeaders.TRAILERS);
        init(new ServerResponseDecoder(arrays, methods), new HttpRequestEncoder() {
            @Override
            protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
                if (msg instanceof HttpRequest request) {
                    methods.add(request.method());
                }
                super.encode(ctx, msg, out);
            }

            @Override
            protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
                if (headers instanceof ArrayHttpHeaders array) {
                    array.encode(buf);
                } else {
                    super.encodeHeaders(headers, buf);
                }
            }
        });
    }
}
