package io.podrouter.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podrouter.Podrouter;
import io.podrouter.config.ConfigException;
import io.podrouter.config.ConfigReader;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminApiTest {
    private static final String TOKEN = "test-token-0123456789";
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    TestBackend pod0;
    TestBackend pod1;
    Podrouter router;

    @BeforeEach
    void start() throws Exception {
        pod0 = new TestBackend("pod0");
        pod1 = new TestBackend("pod1");
        router = new RouterFixture(dir).pod("pod0", pod0).pod("pod1", pod1)
                .route("a.example.com", "pod0").route("b.example.com", "pod0").route("c.example.com", "pod1")
                .yaml("admin: { bind: 127.0.0.1:0, token: " + TOKEN + " }\n")
                .start();
    }

    @AfterEach
    void stop() {
        router.close();
        pod0.close();
        pod1.close();
    }

    private HttpResponse<String> call(String method, String path, String body, boolean withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.adminAddress().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (withToken) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private RawHttp.Response get(String host) throws Exception {
        try (RawHttp c = new RawHttp(router.port())) {
            return c.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
        }
    }

    @Test
    void callsWithoutTheTokenGet401() throws Exception {
        assertThat(call("GET", "/maps", null, false).statusCode()).isEqualTo(401);
        assertThat(call("DELETE", "/maps/a.example.com", null, false).statusCode()).isEqualTo(401);
        assertThat(get("a.example.com").status()).isEqualTo(200);
    }

    @Test
    void aPutEntryRoutesTheVeryNextRequest() throws Exception {
        assertThat(get("new.example.com").status()).isEqualTo(404);
        HttpResponse<String> r = call("PUT", "/maps/New.Example.com", "pod1", true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"key\" : \"new.example.com\"").contains("\"source\" : \"static\"");
        assertThat(get("new.example.com").body()).startsWith("pod1 ");
        assertThat(call("PUT", "/maps/a.example.com", "pod1", true).statusCode()).isEqualTo(200);
        assertThat(get("a.example.com").body()).startsWith("pod1 ");
    }

    @Test
    void aPutNamingAnUnknownBackendOrAnInvalidKeyIsRefused() throws Exception {
        assertThat(call("PUT", "/maps/x.example.com", "pod9", true).statusCode()).isEqualTo(400);
        assertThat(call("PUT", "/maps/a@b", "pod0", true).statusCode()).isEqualTo(400);
        assertThat(get("x.example.com").status()).isEqualTo(404);
    }

    @Test
    void aDeletedEntryStopsRoutingAtOnce() throws Exception {
        assertThat(call("DELETE", "/maps/a.example.com", null, true).statusCode()).isEqualTo(200);
        assertThat(get("a.example.com").status()).isEqualTo(404);
        assertThat(call("DELETE", "/maps/a.example.com", null, true).statusCode()).isEqualTo(404);
    }

    @Test
    void entriesAreListedInKeyOrderAndPaged() throws Exception {
        HttpResponse<String> first = call("GET", "/maps?limit=2", null, true);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("a.example.com").contains("b.example.com").doesNotContain("c.example.com")
                .contains("\"next\" : \"b.example.com\"");
        HttpResponse<String> second = call("GET", "/maps?limit=2&after=b.example.com", null, true);
        assertThat(second.body()).contains("c.example.com").contains("\"next\" : null");
        HttpResponse<String> one = call("GET", "/maps/c.example.com", null, true);
        assertThat(one.body()).contains("\"backend\" : \"pod1\"");
        assertThat(call("GET", "/maps/zzz.example.com", null, true).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/maps?limit=0", null, true).statusCode()).isEqualTo(400);
    }

    @Test
    void purgeDropsCachedAnswersOnlyAndRejectsAnUnknownBackend() throws Exception {
        // Without a directory there is nothing cached: purge says so, and static entries stay.
        HttpResponse<String> r = call("POST", "/maps/purge", null, true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"purged\" : 0");
        assertThat(call("POST", "/maps/purge?backend=pod9", null, true).statusCode()).isEqualTo(400);
        assertThat(get("a.example.com").status()).isEqualTo(200);
    }

    @Test
    void serversAreListedAndCanBeTakenOutOfService() throws Exception {
        HttpResponse<String> list = call("GET", "/backends", null, true);
        assertThat(list.body()).contains("\"name\" : \"pod0\"").contains(pod0.address()).contains("\"state\" : \"ready\"");
        String path = "/backends/pod1/servers/" + pod1.address() + "/state";
        assertThat(call("PUT", path, "maint", true).statusCode()).isEqualTo(200);
        assertThat(get("c.example.com").status()).isEqualTo(503);
        assertThat(call("PUT", path, "ready", true).statusCode()).isEqualTo(200);
        assertThat(get("c.example.com").status()).isEqualTo(200);
        assertThat(call("PUT", path, "sideways", true).statusCode()).isEqualTo(400);
        assertThat(call("PUT", "/backends/pod1/servers/10.9.9.9:1/state", "maint", true).statusCode()).isEqualTo(404);
    }

    @Test
    void withMapPersistChangesAreWrittenBackToTheMapFile() throws Exception {
        router.close();
        router = new RouterFixture(dir).pod("pod0", pod0).pod("pod1", pod1).route("a.example.com", "pod0")
                .routing("map-persist: true")
                .yaml("admin: { bind: 127.0.0.1:0, token: " + TOKEN + " }\n")
                .start();
        assertThat(call("PUT", "/maps/new.example.com", "pod1", true).statusCode()).isEqualTo(200);
        assertThat(call("DELETE", "/maps/a.example.com", null, true).statusCode()).isEqualTo(200);
        String map = Files.readString(dir.resolve("backend.map"));
        assertThat(map).contains("new.example.com pod1").doesNotContain("a.example.com");
        assertThat(io.podrouter.config.MapFile.read(dir.resolve("backend.map"), new java.util.ArrayList<>()))
                .extracting(io.podrouter.config.MapEntry::key).containsExactly("new.example.com");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void anAdminListenerOffLoopbackWithoutATokenIsAConfigError() throws Exception {
        Files.writeString(dir.resolve("m.map"), "");
        Path config = dir.resolve("open.yaml");
        Files.writeString(config, """
                listeners: [ { bind: 127.0.0.1:0 } ]
                routing: { map: m.map }
                backends: { pod0: { servers: [ { address: 127.0.0.1:1 } ] } }
                admin: { bind: 0.0.0.0:9900 }
                """);
        assertThatThrownBy(() -> ConfigReader.read(config)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.errors().get(0).toString()).contains("admin.bind").contains("needs admin.token"));
    }
}
