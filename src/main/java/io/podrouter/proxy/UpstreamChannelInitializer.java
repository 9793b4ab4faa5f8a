package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

/** Builds the pipeline of a connection to a server. */
public final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {
    private static final int MAX_RESPONSE_HEAD = 64 * 1024;

    @Override
    protected void initChannel(Channel ch) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024)
                .setMaxHeaderSize(MAX_RESPONSE_HEAD)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true);
        ch.pipeline()
                .addLast(PipelineNames.HTTP_CODEC, new HttpClientCodec(decoder, false, false))
                .addLast(PipelineNames.UPSTREAM, new UpstreamHandler());
    }
}
