package io.podrouter.config;

/**
 * One application server of a pod.
 *
 * @param maxconn requests it gets at once (0: no limit); the excess waits in the pod's queue
 * @param weight its share of requests relative to the pod's other servers (1-256)
 * @param backup used only when no primary server of the pod is up
 * @param tls connections to it use TLS, or null for plain HTTP
 */
public record ServerConfig(HostAndPort address, int maxconn, int weight, boolean backup, UpstreamTls tls) {
    public ServerConfig(HostAndPort address) {
        this(address, 0, 1, false, null);
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
