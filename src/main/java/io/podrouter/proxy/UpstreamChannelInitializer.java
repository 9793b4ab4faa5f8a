package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Builds the pipeline of a connection to a server. */
public final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {
    private static final int MAX_RESPONSE_HEAD = 64 * 1024;
    private final long idleMillis;
    private final long poolIdleMillis;

    /**
     * @param idle the longest silence from the server while a response body streams
     * @param poolIdle how long the connection may sit unused in its pool
     */
    public UpstreamChannelInitializer(Duration idle, Duration poolIdle) {
        this.idleMillis = idle.toMillis();
        this.poolIdleMillis = poolIdle.toMillis();
    }

    @Override
    protected void initChannel(Channel ch) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024)
                .setMaxHeaderSize(MAX_RESPONSE_HEAD)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true);
        ch.pipeline()
                .addLast(PipelineNames.IDLE, new IdleStateHandler(idleMillis, 0, poolIdleMillis, TimeUnit.MILLISECONDS))
                .addLast(PipelineNames.HTTP_CODEC, new HttpClientCodec(decoder, false, false))
                .addLast(PipelineNames.UPSTREAM, new UpstreamHandler());
    }
}
