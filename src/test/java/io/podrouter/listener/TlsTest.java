package io.podrouter.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podrouter.Podrouter;
import io.podrouter.demo.SelfSignedCertificate;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {
    static TestBackend pod0;
    static TestBackend pod1;
    static Podrouter router;
    static int tlsPort;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        pod0 = new TestBackend("pod0");
        pod1 = new TestBackend("pod1");
        var a = SelfSignedCertificate.write(dir, "a", List.of("a.example.com"), false);
        var b = SelfSignedCertificate.write(dir, "b", List.of("*.b.example.com", "b.example.com"), true);
        router = new RouterFixture(dir).pod("pod0", pod0).pod("pod1", pod1)
                .route("a.example.com", "pod0").route("x.b.example.com", "pod1")
                .listener("  - bind: 127.0.0.1:0\n    tls:\n      certificates:\n"
                        + "        - { cert: " + a.cert() + ", key: " + a.key() + " }\n"
                        + "        - { cert: " + b.cert() + ", key: " + b.key() + " }\n")
                .start();
        tlsPort = router.addresses().get(1).getPort();
    }

    /** A client context that trusts any certificate; a new one each time, so no session is resumed. */
    private static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }

            public void checkServerTrusted(X509Certificate[] c, String a) { }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    /** Sends one request over TLS with {@code sni} and returns the response. */
    private static RawHttp.Response request(String sni, String raw) throws Exception {
        try (RawHttp http = new RawHttp(handshake(sni))) {
            return http.send(raw).read();
        }
    }

    private static SSLSocket handshake(String sni) throws Exception {
        SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", tlsPort);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        s.setSSLParameters(p);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    @AfterAll
    static void stop() {
        router.close();
        pod0.close();
        pod1.close();
    }

    /** Handshakes with {@code sni} (null: none) and returns the certificate the router presented. */
    private static X509Certificate presented(String sni) throws Exception {
        try (SSLSocket s = handshake(sni)) {
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void eachServerNameGetsItsOwnCertificateAndNoNameGetsTheFirst() throws Exception {
        assertThat(presented("a.example.com").getSubjectX500Principal().getName()).isEqualTo("CN=a.example.com");
        assertThat(presented("x.b.example.com").getSubjectX500Principal().getName()).isEqualTo("CN=*.b.example.com");
        assertThat(presented("b.example.com").getSubjectX500Principal().getName()).isEqualTo("CN=*.b.example.com");
        assertThat(presented(null).getSubjectX500Principal().getName()).isEqualTo("CN=a.example.com");
    }

    @Test
    void requestsOverTlsReachTheRightPodWithForwardedProtoHttps() throws Exception {
        RawHttp.Response r = request("x.b.example.com", "GET /headers HTTP/1.1\r\nHost: x.b.example.com\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).startsWith("GET /headers").contains("x-forwarded-proto: https");
        RawHttp.Response a = request("a.example.com", "GET /p HTTP/1.1\r\nHost: a.example.com\r\n\r\n");
        assertThat(a.body()).isEqualTo("pod0 host=a.example.com path=/p");
    }

    /** Runs curl (with HTTP/2 support, installed by .ci/run) and returns what it printed. */
    private static String curl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "-k", "--max-time", "20"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("curl " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    @Test
    void curlOverHttp2AndHttp11ReachesTheRightPods() throws Exception {
        String resolve = "x.b.example.com:" + tlsPort + ":127.0.0.1";
        String h2 = curl("--http2", "-w", " %{http_version}", "--resolve", resolve,
                "https://x.b.example.com:" + tlsPort + "/h2");
        assertThat(h2).isEqualTo("pod1 host=x.b.example.com:" + tlsPort + " path=/h2 2");
        String h1 = curl("--http1.1", "-w", " %{http_version}", "--resolve", "a.example.com:" + tlsPort + ":127.0.0.1",
                "https://a.example.com:" + tlsPort + "/h1");
        assertThat(h1).isEqualTo("pod0 host=a.example.com:" + tlsPort + " path=/h1 1.1");
    }

    @Test
    void manyStreamsOnOneHttp2ConnectionAreEachTheirOwnExchange() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--http2", "--parallel", "--parallel-max", "50",
                "--no-progress-meter", "--resolve", "a.example.com:" + tlsPort + ":127.0.0.1",
                "-w", "%{url_effective}|%{http_code}|%{http_version}|%{size_download}\\n"));
        for (int i = 0; i < 50; i++) {
            args.add("https://a.example.com:" + tlsPort + "/p" + i);
            args.add("-o");
            args.add("/dev/null");
        }
        String out = curl(args.toArray(new String[0]));
        for (int i = 0; i < 50; i++) {
            String body = "pod0 host=a.example.com:" + tlsPort + " path=/p" + i;
            assertThat(out).contains("https://a.example.com:" + tlsPort + "/p" + i + "|200|2|" + body.length() + "\n");
        }
    }

    @Test
    void aServerNameNoCertificateCoversGetsTheFirstCertificate() throws Exception {
        assertThat(presented("unknown.example.org").getSubjectX500Principal().getName()).isEqualTo("CN=a.example.com");
        assertThat(presented("x.y.b.example.com").getSubjectX500Principal().getName())
                .as("a wildcard covers one label only").isEqualTo("CN=a.example.com");
    }

    @Test
    void plainHttpOnTheTlsPortIsClosedAndTheRouterKeepsServing() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", tlsPort), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                assertThat(new String(buf, 0, n, StandardCharsets.ISO_8859_1)).doesNotContain("pod0");
            }
        }
        try (Socket s = new Socket()) {
            // A truncated handshake: a TLS record header, then nothing.
            s.connect(new InetSocketAddress("127.0.0.1", tlsPort), 5000);
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
            s.getOutputStream().flush();
        }
        assertThat(presented("a.example.com")).isNotNull();
        try (RawHttp http = new RawHttp(router.port())) {
            assertThat(http.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read().status()).isEqualTo(200);
        }
    }
}
