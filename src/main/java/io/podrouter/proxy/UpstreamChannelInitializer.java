package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.podrouter.config.ServerConfig;
import java.time.Duration;

/** Builds the pipeline of a connection to a server. */
public final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {
    private static final int MAX_RESPONSE_HEAD = 64 * 1024;
    private final long idleMillis;
    private final long poolIdleMillis;
    private final SslContext tls;
    private final String tlsName;
    private final int tlsPort;

    /**
     * @param idle the longest silence from the server while a response body streams
     * @param poolIdle how long the connection may sit unused in its pool
     */
    public UpstreamChannelInitializer(Duration idle, Duration poolIdle) {
        this(idle, poolIdle, null, null, 0);
    }

    /**
     * Connections over TLS: {@code name} is sent as SNI and, when the context verifies, checked
     * against the server's certificate.
     */
    public UpstreamChannelInitializer(Duration idle, Duration poolIdle, SslContext tls, String name, int port) {
        this.idleMillis = idle.toMillis();
        this.poolIdleMillis = poolIdle.toMillis();
        this.tls = tls;
        this.tlsName = name;
        this.tlsPort = port;
    }

    /** A client TLS context for one server's settings. */
    public static SslContext clientContext(ServerConfig.UpstreamTls settings) throws javax.net.ssl.SSLException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .endpointIdentificationAlgorithm(settings.verify() ? "HTTPS" : null);
        if (!settings.verify()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (settings.ca() != null) {
            b.trustManager(settings.ca().toFile());
        }
        return b.build();
    }

    @Override
    protected void initChannel(Channel ch) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024)
                .setMaxHeaderSize(MAX_RESPONSE_HEAD)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true);
        if (tls != null) {
            ch.pipeline().addLast(PipelineNames.TLS, tls.newHandler(ch.alloc(), tlsName, tlsPort));
        }
        ch.pipeline()
                .addLast(PipelineNames.HTTP_CODEC, new ServerHttpCodec(decoder))
                .addLast(PipelineNames.UPSTREAM, new UpstreamHandler(poolIdleMillis, idleMillis));
    }
}
