package io.podrouter.config;

/**
 * One application server of a pod.
 *
 * @param maxconn requests it gets at once (0: no limit); the excess waits in the pod's queue
 * @param weight its share of requests relative to the pod's other servers (1-256)
 * @param backup used only when no primary server of the pod is up
 */
public record ServerConfig(HostAndPort address, int maxconn, int weight, boolean backup) {
    public ServerConfig(HostAndPort address) {
        this(address, 0, 1, false);
    }
}
