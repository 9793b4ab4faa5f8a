package io.podrouter.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podrouter.Podrouter;
import io.podrouter.demo.SelfSignedCertificate;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SniAndH2cTest {
    static TestBackend pod0;
    static TestBackend pod1;
    static SelfSignedCertificate.PemFiles cert;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        pod0 = new TestBackend("pod0");
        pod1 = new TestBackend("pod1");
        cert = SelfSignedCertificate.write(dir, "wild", List.of("*.example.com"), false);
    }

    @AfterAll
    static void stop() {
        pod0.close();
        pod1.close();
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-k", "--max-time", "20", "-w", " %{http_code} %{http_version}"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private RouterFixture fixture(Path dir, String tlsExtra) {
        return new RouterFixture(dir).pod("pod0", pod0).pod("pod1", pod1)
                .route("a.example.com", "pod0").route("b.example.com", "pod1")
                .listener("  - bind: 127.0.0.1:0\n    tls:\n      certificates: [ { cert: " + cert.cert() + ", key: "
                        + cert.key() + " } ]\n" + tlsExtra);
    }

    @Test
    void withRequireHostMatchAHostOtherThanTheServerNameGets421(@TempDir Path dir) throws Exception {
        try (Podrouter router = fixture(dir, "      require-host-match: true\n").start()) {
            int port = router.addresses().get(1).getPort();
            String resolve = "a.example.com:" + port + ":127.0.0.1";
            assertThat(curl("--http1.1", "--resolve", resolve, "-H", "Host: b.example.com", "https://a.example.com:" + port + "/"))
                    .endsWith(" 421 1.1");
            assertThat(curl("--http1.1", "--resolve", resolve, "https://a.example.com:" + port + "/ok"))
                    .isEqualTo("pod0 host=a.example.com:" + port + " path=/ok 200 1.1");
        }
    }

    @Test
    void withoutRequireHostMatchAHostOtherThanTheServerNameIsServed(@TempDir Path dir) throws Exception {
        try (Podrouter router = fixture(dir, "").start()) {
            int port = router.addresses().get(1).getPort();
            assertThat(curl("--http1.1", "--resolve", "a.example.com:" + port + ":127.0.0.1", "-H", "Host: b.example.com",
                    "https://a.example.com:" + port + "/x")).isEqualTo("pod1 host=b.example.com path=/x 200 1.1");
        }
    }

    @Test
    void routingBySniIgnoresTheHostHeader(@TempDir Path dir) throws Exception {
        try (Podrouter router = fixture(dir, "").routing("key: sni").start()) {
            int port = router.addresses().get(1).getPort();
            assertThat(curl("--http2", "--resolve", "b.example.com:" + port + ":127.0.0.1", "-H", "Host: a.example.com",
                    "https://b.example.com:" + port + "/s")).startsWith("pod1 ").endsWith(" 200 2");
        }
    }

    @Test
    void h2cByPriorKnowledgeAndHttp11ShareAPlainListener(@TempDir Path dir) throws Exception {
        try (Podrouter router = new RouterFixture(dir).pod("pod0", pod0).route("a.example.com", "pod0")
                .listener("  - bind: 127.0.0.1:0\n    h2c: true\n").start()) {
            int port = router.addresses().get(1).getPort();
            assertThat(curl("--http2-prior-knowledge", "-H", "Host: a.example.com", "http://127.0.0.1:" + port + "/h2c"))
                    .isEqualTo("pod0 host=a.example.com path=/h2c 200 2");
            assertThat(curl("--http1.1", "-H", "Host: a.example.com", "http://127.0.0.1:" + port + "/h1"))
                    .isEqualTo("pod0 host=a.example.com path=/h1 200 1.1");
        }
    }

    private static List<String> headerNamesSeenFor(TestBackend pod, String path) {
        return pod.heads().stream().filter(h -> h.uri().equals(path)).findFirst().orElseThrow()
                .headers().names().stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).sorted().toList();
    }

    @Test
    void aPodSeesTheHeaderNamesOfAnHttp2RequestThatItWouldOverHttp11(@TempDir Path dir) throws Exception {
        try (Podrouter router = new RouterFixture(dir).pod("pod0", pod0).route("a.example.com", "pod0")
                .listener("  - bind: 127.0.0.1:0\n    h2c: true\n").start()) {
            int port = router.addresses().get(1).getPort();
            String[] same = {"-H", "Host: a.example.com", "-H", "X-Tenant-Hint: 7", "-A", "probe"};
            assertThat(curl(concat("--http2-prior-knowledge", same, "http://127.0.0.1:" + port + "/names-h2"))).endsWith(" 200 2");
            assertThat(curl(concat("--http1.1", same, "http://127.0.0.1:" + port + "/names-h1"))).endsWith(" 200 1.1");
            List<String> expected = List.of("accept", "host", "user-agent", "x-forwarded-for", "x-forwarded-host",
                    "x-forwarded-proto", "x-request-id", "x-tenant-hint");
            assertThat(headerNamesSeenFor(pod0, "/names-h2")).isEqualTo(expected);
            assertThat(headerNamesSeenFor(pod0, "/names-h1")).isEqualTo(expected);
        }
    }

    @Test
    void onAnH2cListenerAClientThatStartsWithNeitherThePrefaceNorAnHttp11RequestLineIsClosedUnanswered(@TempDir Path dir)
            throws Exception {
        try (Podrouter router = new RouterFixture(dir).pod("pod0", pod0).route("a.example.com", "pod0")
                .listener("  - bind: 127.0.0.1:0\n    h2c: true\n").start();
             RawHttp client = new RawHttp(router.addresses().get(1).getPort()).timeout(10_000)) {
            // What h2spec sends as a broken HTTP/2 preface: an HTTP/1.1 answer would be no HTTP/2 frame.
            client.send("INVALID CONNECTION PREFACE\r\n\r\n");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void onAnH2cListenerAnHttp11RequestSentInPiecesIsServed(@TempDir Path dir) throws Exception {
        try (Podrouter router = new RouterFixture(dir).pod("pod0", pod0).route("a.example.com", "pod0")
                .listener("  - bind: 127.0.0.1:0\n    h2c: true\n").start();
             RawHttp client = new RawHttp(router.addresses().get(1).getPort()).timeout(10_000)) {
            client.send("\r\nGET /pie");
            assertThat(client.openAndQuietFor(200)).isTrue();
            client.send("ces HTTP/1.1\r\nHost: a.example.com\r\n\r\n");
            assertThat(client.read().body()).isEqualTo("pod0 host=a.example.com path=/pieces");
        }
    }

    /** A router whose TLS listener has a default certificate for default.test, then one for *.example.com. */
    private static RouterFixture twoCertificates(Path dir, String tlsExtra) throws Exception {
        SelfSignedCertificate.PemFiles first = SelfSignedCertificate.write(dir, "default", List.of("default.test"), false);
        return new RouterFixture(dir).pod("pod0", pod0).route("a.example.com", "pod0")
                .listener("  - bind: 127.0.0.1:0\n    tls:\n      certificates:\n"
                        + "        - { cert: " + first.cert() + ", key: " + first.key() + " }\n"
                        + "        - { cert: " + cert.cert() + ", key: " + cert.key() + " }\n" + tlsExtra);
    }

    /** Handshakes with the given server name (none when null) and returns the first DNS name of the certificate served. */
    private static String certificateServedFor(int port, String serverName) throws Exception {
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                // The test looks at which certificate came, not whether to trust it.
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            javax.net.ssl.SSLParameters params = socket.getSSLParameters();
            params.setServerNames(serverName == null ? List.of() : List.of(new javax.net.ssl.SNIHostName(serverName)));
            socket.setSSLParameters(params);
            socket.startHandshake();
            var served = (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
            return String.valueOf(served.getSubjectAlternativeNames().iterator().next().get(1));
        }
    }

    @Test
    void aServerNameNoCertificateCoversOrNoneGetsTheFirstCertificate(@TempDir Path dir) throws Exception {
        try (Podrouter router = twoCertificates(dir, "").start()) {
            int port = router.addresses().get(1).getPort();
            assertThat(certificateServedFor(port, "a.example.com")).isEqualTo("*.example.com");
            assertThat(certificateServedFor(port, "nobody.other")).isEqualTo("default.test");
            assertThat(certificateServedFor(port, null)).isEqualTo("default.test");
            // And the request is served: routing goes by Host, whatever the certificate.
            assertThat(curl("--http1.1", "--resolve", "nobody.other:" + port + ":127.0.0.1", "-H", "Host: a.example.com",
                    "https://nobody.other:" + port + "/d")).isEqualTo("pod0 host=a.example.com path=/d 200 1.1");
        }
    }

    @Test
    void withStrictSniAServerNameNoCertificateCoversOrNoneIsRefusedAtTheHandshake(@TempDir Path dir) throws Exception {
        try (Podrouter router = twoCertificates(dir, "      strict-sni: true\n").start()) {
            int port = router.addresses().get(1).getPort();
            assertThat(certificateServedFor(port, "a.example.com")).isEqualTo("*.example.com");
            assertThat(certificateServedFor(port, "default.test")).isEqualTo("default.test");
            assertThatThrownBy(() -> certificateServedFor(port, "nobody.other")).isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> certificateServedFor(port, null)).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void anHttp2RequestThatNeverReachesAServerGets502AndItsMessageIsReleased(@TempDir Path dir) throws Exception {
        String refused;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            refused = "127.0.0.1:" + s.getLocalPort(); // closed again: connecting there is refused
        }
        // A stream's request is one reference-counted message; the leak detector (paranoid) fails
        // this class if the exchange that could not send it drops it unreleased.
        try (Podrouter router = new RouterFixture(dir).pod("down", refused).route("a.example.com", "down")
                .listener("  - bind: 127.0.0.1:0\n    h2c: true\n").start()) {
            int port = router.addresses().get(1).getPort();
            for (int i = 0; i < 3; i++) {
                assertThat(curl("--http2-prior-knowledge", "-H", "Host: a.example.com", "http://127.0.0.1:" + port + "/"))
                        .endsWith(" 502 2");
            }
        }
    }

    private static String[] concat(String first, String[] middle, String last) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(List.of(middle));
        all.add(last);
        return all.toArray(String[]::new);
    }
}
