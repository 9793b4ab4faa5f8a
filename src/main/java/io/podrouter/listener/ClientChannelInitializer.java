package io.podrouter.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import io.podrouter.config.LimitsConfig;
import io.podrouter.config.TimeoutsConfig;
import io.podrouter.proxy.ClientHttpCodec;
import io.podrouter.proxy.FrontendHandler;
import io.podrouter.proxy.PipelineNames;
import io.podrouter.proxy.ProxySettings;
import java.util.concurrent.TimeUnit;

/** Builds the pipeline of an accepted client connection (order: see {@link PipelineNames}). */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    private final ProxySettings settings;
    private final LimitsConfig limits;
    private final TimeoutsConfig timeouts;

    ClientChannelInitializer(ProxySettings settings, LimitsConfig limits, TimeoutsConfig timeouts) {
        this.settings = settings;
        this.limits = limits;
        this.timeouts = timeouts;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast(PipelineNames.IDLE, new IdleStateHandler(timeouts.client().toMillis(), 0,
                        timeouts.keepAlive().toMillis(), TimeUnit.MILLISECONDS))
                .addLast(PipelineNames.HTTP_CODEC, new ClientHttpCodec(limits.maxRequestLine(), limits.maxHeaderSize()))
                .addLast(PipelineNames.FRONTEND, new FrontendHandler(settings));
    }
}
