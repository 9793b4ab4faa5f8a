package io.podrouter.conformance;

import io.podrouter.Podrouter;
import io.podrouter.demo.SelfSignedCertificate;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What h2spec (the HTTP/2 conformance suite, run by {@code .ci/h2spec}) is pointed at: a router
 * on 127.0.0.1 with an h2c listener and a TLS listener (a self-signed certificate made at start),
 * routing every request to one test backend. Ports are bound as 0; the chosen ones are written to
 * the file named by the first argument as {@code h2c=PORT} and {@code tls=PORT} lines. It runs
 * until its standard input closes.
 */
public final class H2specTarget {
    private H2specTarget() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: H2specTarget PORTS_FILE");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("h2spec-target");
        SelfSignedCertificate.PemFiles cert = SelfSignedCertificate.write(dir, "localhost", List.of("localhost"), false);
        try (TestBackend pod = new TestBackend("pod0");
             Podrouter router = new RouterFixture(dir).pod("pod0", pod)
                     .routing("unknown: { backend: pod0 }")
                     .listener("  - bind: 127.0.0.1:0\n    h2c: true\n"
                             + "  - bind: 127.0.0.1:0\n    tls:\n      certificates: [ { cert: " + cert.cert()
                             + ", key: " + cert.key() + " } ]\n")
                     .yaml("access-log: { enabled: false }\n")
                     .start()) {
            Path ports = Path.of(args[0]);
            Path partial = ports.resolveSibling(ports.getFileName() + ".tmp");
            Files.writeString(partial, "h2c=" + router.addresses().get(1).getPort() + "\ntls="
                    + router.addresses().get(2).getPort() + "\n");
            Files.move(partial, ports, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            while (System.in.read() >= 0) {
                // Runs until the script that started it closes its end of the pipe (or kills it).
            }
        }
    }
}
