package io.podrouter.proxy;

/**
 * Every handler's name, in pipeline order, in one place.
 *
 * <p>Client connection: [{@link #TLS} → {@link #TLS_LOG} →] {@link #HTTP_CODEC} → {@link #FRONTEND}.
 * HTTP/2 connection: [{@link #TLS} →] {@link #IDLE} → {@link #HTTP2_CODEC} → {@link #HTTP2_STREAMS} → {@link #HTTP2_IDLE}.
 * HTTP/2 stream: {@link #HTTP2_STREAM_ERRORS} → {@link #HTTP_CODEC} → {@link #HTTP2_CONVERSION} → {@link #FRONTEND}.
 * Server connection: [{@link #TLS} →] {@link #HTTP_CODEC} → {@link #UPSTREAM}.
 * Tunnel (either side, after a 101): [{@link #TLS} →] {@link #IDLE} → {@link #TUNNEL}.
 */
public final class PipelineNames {
    /** TLS: toward clients it picks the certificate by SNI, then becomes the SslHandler; toward servers, the SslHandler. */
    public static final String TLS = "tls";
    /** Logs a failed TLS handshake once and closes the connection; leaves after a good handshake. */
    public static final String TLS_LOG = "tls-log";
    /**
     * Netty's IdleStateHandler, on an HTTP/2 connection (the silence allowed, and no stream for the
     * keep-alive timeout) and on a tunnel. An HTTP/1 connection has none: its last handler keeps a
     * {@link ConnectionTimer} for the keep-alive (or pool idle) timeout and the silence allowed.
     */
    public static final String IDLE = "idle";
    /** HTTP/1.x codec: {@link ClientHttpCodec} toward clients, Netty's client codec toward servers. */
    public static final String HTTP_CODEC = "http-codec";
    /** {@link FrontendHandler}: takes requests, routes them, starts exchanges. */
    public static final String FRONTEND = "frontend";
    /** After ALPN chose h2: Netty's HTTP/2 frame codec on the connection. */
    public static final String HTTP2_CODEC = "http2-codec";
    /** After ALPN chose h2: one child channel per stream, each with {@link #HTTP_CODEC} and {@link #FRONTEND}. */
    public static final String HTTP2_STREAMS = "http2-streams";
    /** First on an HTTP/2 stream: keeps a stream's protocol error from closing it before Netty resets it with the error's code. */
    public static final String HTTP2_STREAM_ERRORS = "http2-stream-errors";
    /** On an HTTP/2 stream, after {@link #HTTP_CODEC}: removes the x-http2-* headers the conversion to HTTP/1.1 adds. */
    public static final String HTTP2_CONVERSION = "http2-conversion";
    /** After ALPN chose h2: closes the connection when it has had no stream for the keep-alive timeout. */
    public static final String HTTP2_IDLE = "http2-idle";
    /** On a plain listener with h2c: HTTP/2 for a client that starts with the HTTP/2 preface. */
    public static final String H2C = "h2c";
    /** Waits for the TLS handshake's ALPN choice, then sets up HTTP/2 or leaves HTTP/1.1 as is. */
    public static final String ALPN = "alpn";
    /** {@link TunnelHandler}: after a 101, relays bytes to the other side in place of the HTTP handlers. */
    public static final String TUNNEL = "tunnel";
    /** {@link UpstreamHandler}: hands a server's response to the exchange it belongs to. */
    public static final String UPSTREAM = "upstream";

    private PipelineNames() {
    }
}
