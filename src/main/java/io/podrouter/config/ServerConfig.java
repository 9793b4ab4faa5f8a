package io.podrouter.config;

/**
 * One application server of a pod.
 *
 * @param maxconn requests it gets at once (0: no limit); the excess waits in the pod's queue. The
 *                default is a cap above what one router serves, not a limit below it: at 1,000,
 *                10,000 clients over three servers kept 7,000 requests waiting in the router,
 *                with a p99 1.5 times as long and 6% fewer requests per CPU-second than with no
 *                queue (bench/RESULTS.md). Lower it to shield a server that cannot take more
 * @param weight its share of requests relative to the pod's other servers (1-256)
 * @param backup used only when no primary server of the pod is up
 * @param tls connections to it use TLS, or null for plain HTTP
 */
public record ServerConfig(HostAndPort address, int maxconn, int weight, boolean backup, UpstreamTls tls) {
    /** What a server's settings are when the file does not say (its address is always said). */
    public static final ServerConfig DEFAULTS = new ServerConfig(null, 10_000, 1, false, null);

    public ServerConfig(HostAndPort address) {
        this(address, DEFAULTS.maxconn, DEFAULTS.weight, DEFAULTS.backup, null);
    }

    /**
     * TLS toward a server.
     *
     * @param verify check the server's certificate chain and name (on by default)
     * @param ca PEM file of the certificates to trust, or null for the JDK's trusted roots
     * @param sni the name to send and to check the certificate against, or null for the address's host
     */
    public record UpstreamTls(boolean verify, java.nio.file.Path ca, String sni) {
    }
}
