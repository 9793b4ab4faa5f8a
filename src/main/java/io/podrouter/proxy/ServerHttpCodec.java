package io.podrouter.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
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
    /**
     * The decoder gives the last part of every response with a length a trailer map of its own,
     * though hardly any response has trailers: a map of 2 slots instead of 16 (it still takes
     * any number of trailers).
     */
    private static final HttpHeadersFactory SMALL_TRAILERS = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return DefaultHttpHeadersFactory.trailersFactory().newEmptyHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return DefaultHttpHeadersFactory.trailersFactory().newEmptyHeaders();
        }
    };

    public ServerHttpCodec(HttpDecoderConfig config) {
        Queue<HttpMethod> methods = new ArrayDeque<>(2);
        init(new ServerResponseDecoder(config.clone().setTrailersFactory(SMALL_TRAILERS), methods), new HttpRequestEncoder() {
            @Override
            protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
                if (msg instanceof HttpRequest request) {
                    methods.add(request.method());
                }
                super.encode(ctx, msg, out);
            }
        });
    }
}
