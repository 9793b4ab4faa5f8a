package io.podrouter.directory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Pipeline of a connection to the directory: codec, an aggregator bounded by the answer limit, the handler. */
final class DirectoryChannelInitializer extends ChannelInitializer<Channel> {
    static final String HANDLER = "directory";
    private final int maxAnswerBytes;

    DirectoryChannelInitializer(int maxAnswerBytes) {
        this.maxAnswerBytes = maxAnswerBytes;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("http-codec", new HttpClientCodec(new HttpDecoderConfig().setMaxHeaderSize(16 * 1024), false, false))
                .addLast("aggregator", new HttpObjectAggregator(maxAnswerBytes))
                .addLast(HANDLER, new DirectoryResponseHandler());
    }
}
