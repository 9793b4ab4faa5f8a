package io.podrouter.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS on a listener.
 *
 * @param certificates certificate chains with their keys (PEM), chosen by SNI; the first is the
 *                     default for clients that send no server name
 * @param protocols TLS versions offered
 * @param ciphers cipher suites offered, or empty for the provider's safe defaults
 * @param strictSni refuse (421) a request whose Host differs from the connection's server name
 */
public record TlsConfig(List<Certificate> certificates, List<String> protocols, List<String> ciphers, boolean strictSni) {
    public TlsConfig {
        certificates = List.copyOf(certificates);
        protocols = List.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
    }

    /** A PEM certificate chain and its PEM (PKCS#8) private key. */
    public record Certificate(Path cert, Path key) {
    }
}
