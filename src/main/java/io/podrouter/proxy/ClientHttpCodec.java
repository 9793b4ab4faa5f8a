package io.podrouter.proxy;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;

/** HTTP/1.x codec for client connections: {@link StrictRequestDecoder} with {@link ClientResponseEncoder}. */
public final class ClientHttpCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, ClientResponseEncoder> {

    public ClientHttpCodec(int maxRequestLine, int maxHeaderSize) {
        init(new StrictRequestDecoder(new HttpDecoderConfig()
                        .setMaxInitialLineLength(maxRequestLine)
                        .setMaxHeaderSize(maxHeaderSize)
                        .setMaxChunkSize(64 * 1024)
                        .setValidateHeaders(true)
                        .setStrictLineParsing(true)
                        .setHeadersFactory(ArrayHttpHeaders.HEADERS)
                        .setTrailersFactory(ArrayHttpHeaders.TRAILERS)),
                new ClientResponseEncoder());
    }

    ClientResponseEncoder encoder() {
        return outboundHandler();
    }
}
