package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingThroughProxyTest {
    private static final int HOSTS = 1000;
    static TestBackend[] pods = new TestBackend[3];
    static Podrouter router;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        RouterFixture fixture = new RouterFixture(dir);
        for (int i = 0; i < pods.length; i++) {
            pods[i] = new TestBackend("pod" + i);
            fixture.pod("pod" + i, pods[i]);
        }
        for (int i = 0; i < HOSTS; i++) {
            fixture.route("tenant" + i + ".example.com", "pod" + (i % 3));
        }
        router = fixture.start();
    }

    @AfterAll
    static void stop() {
        router.close();
        for (TestBackend b : pods) {
            b.close();
        }
    }

    @Test
    void everyMappedHostReachesItsPod() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            for (int i = 0; i < HOSTS; i++) {
                http.send("GET /where HTTP/1.1\r\nHost: tenant" + i + ".example.com\r\n\r\n");
                RawHttp.Response r = http.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("pod" + (i % 3) + " host=tenant" + i + ".example.com path=/where");
            }
        }
    }

    @Test
    void aRealHttpClientIsRoutedByItsHostHeader() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/a?b=c"))
                .header("Host", "tenant4.example.com").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("pod1 host=tenant4.example.com path=/a?b=c");
    }

    @Test
    void hostIsNormalisedBeforeLookupButForwardedAsSent() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: Tenant5.Example.COM.:8080\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("pod2 host=Tenant5.Example.COM.:8080 path=/");
        }
    }

    @Test
    void anAbsoluteFormTargetWinsOverHostAndIsForwardedInOriginForm() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET http://tenant7.example.com:8080/p?q=1 HTTP/1.1\r\nHost: tenant5.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("pod1 host=tenant7.example.com:8080 path=/p?q=1");
        }
    }

    @Test
    void anUnmappedHostGets404AndTheConnectionStaysOpen() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: stranger.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("no route");
            RawHttp.Response next = http.send("GET / HTTP/1.1\r\nHost: tenant1.example.com\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
        }
    }

    @Test
    void invalidMissingOrDuplicateHostGets400() throws Exception {
        for (String head : new String[] {
                "GET / HTTP/1.1\r\nHost: a/../../admin\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a%2f..\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: " + "x".repeat(70) + ".com\r\n\r\n",
                "GET / HTTP/1.1\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: tenant1.example.com\r\nHost: tenant2.example.com\r\n\r\n",
                "GET http://a@b/ HTTP/1.1\r\nHost: tenant1.example.com\r\n\r\n"}) {
            try (RawHttp http = new RawHttp(router.port())) {
                RawHttp.Response r = http.send(head).read();
                assertThat(r.status()).as(head).isEqualTo(400);
            }
        }
    }

    @Test
    void http10WithoutHostIsAnUnknownKeyAndKeepAliveIsHonoured() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            assertThat(http.send("GET / HTTP/1.0\r\n\r\n").read().status()).isEqualTo(404);
            assertThat(http.closedByServer()).isTrue();
        }
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET /x HTTP/1.0\r\nHost: tenant1.example.com\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
            assertThat(http.send("GET /y HTTP/1.0\r\nHost: tenant1.example.com\r\n\r\n").read().body()).endsWith("path=/y");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void headRequestsGetHeadersWithoutBody() throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("HEAD /x HTTP/1.1\r\nHost: tenant1.example.com\r\n\r\n").readHeadResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo("37");
            // Had the proxy sent or expected a body, the next response would be misread.
            assertThat(http.send("GET /next HTTP/1.1\r\nHost: tenant1.example.com\r\n\r\n").read().body())
                    .isEqualTo("pod1 host=tenant1.example.com path=/next");
        }
    }
}
