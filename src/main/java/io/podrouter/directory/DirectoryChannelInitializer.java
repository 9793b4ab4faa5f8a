package io.podrouter.directory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Pipeline of a connection to the directory: a clock for its time unused in the pool, the codec,
 * an aggregator bounded by the answer limit, the handler.
 */
final class DirectoryChannelInitializer extends ChannelInitializer<Channel> {
    static final String HANDLER = "directory";
    private final int maxAnswerBytes;
    private final long idleMillis;

    /** @param idle how long the connection may sit unused in its pool (zero: as long as the directory keeps it) */
    DirectoryChannelInitializer(int maxAnswerBytes, Duration idle) {
        this.maxAnswerBytes = maxAnswerBytes;
        this.idleMillis = idle.toMillis();
    }

    @Override
    protected void initChannel(Channel ch) {
        if (idleMillis > 0) {
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        }
        ch.pipeline()
                .addLast("http-codec", new HttpClientCodec(new HttpDecoderConfig().setMaxHeaderSize(16 * 1024), false, false))
                .addLast("aggregator", new HttpObjectAggregator(maxAnswerBytes))
                .addLast(HANDLER, new DirectoryResponseHandler());
    }
}
