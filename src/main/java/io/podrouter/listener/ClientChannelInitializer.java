package io.podrouter.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SniHandler;
import io.podrouter.backend.SocketBudget;
import io.podrouter.config.LimitsConfig;
import io.podrouter.proxy.ClientHttpCodec;
import io.podrouter.proxy.FrontendHandler;
import io.podrouter.proxy.PipelineNames;
import io.podrouter.proxy.ProxySettings;
import java.util.function.Supplier;

/** Builds the pipeline of an accepted client connection (order: see {@link PipelineNames}). */
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    private static final long TLS_HANDSHAKE_MILLIS = 10_000;
    /** Client connections count against the process's sockets, which server connections must leave room for. */
    private static final ChannelFutureListener SOCKET_CLOSED = f -> SocketBudget.PROCESS.closed();
    private final Supplier<ProxySettings> settings;
    private final CertificateStore certificates;
    private final boolean requireHostMatch;
    private final boolean h2c;

    /** @param certificates the TLS certificates, or null for a plain HTTP listener */
    /** The pipeline of a plain HTTP listener's connections (also what the relay's benchmark drives). */
    public static ClientChannelInitializer plain(Supplier<ProxySettings> settings, boolean h2c) {
        return new ClientChannelInitializer(settings, null, false, h2c);
    }

    ClientChannelInitializer(Supplier<ProxySettings> settings, CertificateStore certificates, boolean requireHostMatch, boolean h2c) {
        this.settings = settings;
        this.certificates = certificates;
        this.requireHostMatch = requireHostMatch;
        this.h2c = h2c;
    }

    @Override
    protected void initChannel(Channel ch) {
        SocketBudget.PROCESS.opened();
        ch.closeFuture().addListener(SOCKET_CLOSED);
        ProxySettings current = settings.get();
        LimitsConfig limits = current.limits();
        if (certificates != null) {
            ch.pipeline()
                    .addLast(PipelineNames.TLS, new SniHandler(certificates, TLS_HANDSHAKE_MILLIS))
                    .addLast(PipelineNames.TLS_LOG, new TlsHandshakeLogger())
                    .addLast(PipelineNames.ALPN, new ProtocolNegotiation(settings, requireHostMatch));
        } else if (h2c) {
            ch.pipeline().addLast(PipelineNames.H2C, new PriorKnowledgeDetector(settings));
        }
        ch.pipeline()
                .addLast(PipelineNames.HTTP_CODEC, new ClientHttpCodec(limits.maxRequestLine(), limits.maxHeaderSize()))
                .addLast(PipelineNames.FRONTEND, new FrontendHandler(settings, certificates != null, requireHostMatch));
    }
}
