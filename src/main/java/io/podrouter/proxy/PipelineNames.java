package io.podrouter.proxy;

/**
 * Every handler's name, in pipeline order, in one place.
 *
 * <p>Client connection: [{@link #TLS} → {@link #TLS_LOG} →] {@link #IDLE} → {@link #HTTP_CODEC} → {@link #FRONTEND}.
 * Server connection: [{@link #TLS} →] {@link #IDLE} → {@link #HTTP_CODEC} → {@link #UPSTREAM}.
 */
public final class PipelineNames {
    /** TLS: toward clients it picks the certificate by SNI, then becomes the SslHandler; toward servers, the SslHandler. */
    public static final String TLS = "tls";
    /** Logs a failed TLS handshake once and closes the connection; leaves after a good handshake. */
    public static final String TLS_LOG = "tls-log";
    /**
     * Idle timers: toward clients, the keep-alive timeout and the silence allowed within a request
     * body; toward servers, the silence allowed within a response body and the pool's idle timeout.
     */
    public static final String IDLE = "idle";
    /** HTTP/1.x codec: {@link ClientHttpCodec} toward clients, Netty's client codec toward servers. */
    public static final String HTTP_CODEC = "http-codec";
    /** {@link FrontendHandler}: takes requests, routes them, starts exchanges. */
    public static final String FRONTEND = "frontend";
    /** {@link TunnelHandler}: after a 101, relays bytes to the other side in place of the HTTP handlers. */
    public static final String TUNNEL = "tunnel";
    /** {@link UpstreamHandler}: hands a server's response to the exchange it belongs to. */
    public static final String UPSTREAM = "upstream";

    private PipelineNames() {
    }
}
