package io.podrouter.config;

/**
 * One application server of a pod.
 *
 * @param maxconn requests it gets at once (0: no limit); the excess waits in the pod's queue. The
 *                default bounds the connections a router opens to a server, so that 10,000 busy
 *                clients cannot make it open 10,000 more and run out of file descriptors
 * @param weight its share of requests relative to the pod's other servers (1-256)
 * @param backup used only when no primary server of the pod is up
 * @param tls connections to it use TLS, or null for plain HTTP
 */
public record ServerConfig(HostAndPort address, int maxconn, int weight, boolean backup, UpstreamTls tls) {
    /** What a server's settings are when the file does not say (its address is always said). */
    public static final ServerConfig DEFAULTS = new ServerConfig(null, 1000, 1, false, null);

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
