package io.podrouter.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS on a listener.
 *
 * @param certificates certificate chains with their keys (PEM), chosen by SNI; the first is the
 *                     default, for clients that send no server name or one no certificate covers
 * @param protocols TLS versions offered
 * @param ciphers cipher suites offered, or empty for the provider's safe defaults
 * @param strictSni refuse the handshake of a client that sends no server name or one no certificate
 *                  covers, instead of giving it the default certificate (HAProxy's {@code strict-sni})
 * @param requireHostMatch refuse (421) a request whose Host differs from the connection's server name
 */
public record TlsConfig(List<Certificate> certificates, List<String> protocols, List<String> ciphers, boolean strictSni,
                        boolean requireHostMatch) {
    public TlsConfig {
        certificates = List.copyOf(certificates);
        protocols = List.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
    }

    /** A PEM certificate chain and its PEM (PKCS#8) private key. */
    public record Certificate(Path cert, Path key) {
    }
}
