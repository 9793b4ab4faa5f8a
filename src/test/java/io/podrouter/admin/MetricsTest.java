package io.podrouter.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.podrouter.Podrouter;
import io.podrouter.config.HostAndPort;
import io.podrouter.directory.DirectoryServer;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:\\\\[\\\\\"n]|[^\"\\\\\\n])*\"";
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(\\{(" + LABEL + "(?:," + LABEL + ")*)?\\})? ([-+]?(?:\\d+(?:\\.\\d*)?(?:[eE][-+]?\\d+)?|NaN|\\+Inf|-Inf))");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");

    @TempDir
    Path dir;
    EventLoopGroup group;
    DirectoryServer directory;
    TestBackend pod0;
    Podrouter router;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        directory = DirectoryServer.start(null, HostAndPort.parse("127.0.0.1:0"), group, NioServerSocketChannel.class);
        directory.put("dyn.example.com", "pod0");
        pod0 = new TestBackend("pod0");
        router = new RouterFixture(dir).pod("pod0", pod0).route("a.example.com", "pod0")
                .yaml("admin: { bind: 127.0.0.1:0 }\n")
                .routing("directory: { url: \"http://127.0.0.1:" + directory.localAddress().getPort()
                        + "/rest/private/gds/backend/{key}\" }\n")
                .start();
    }

    @AfterEach
    void stop() {
        router.close();
        pod0.close();
        directory.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void metricsParseStrictlyAndCountersMoveWithRequests() throws Exception {
        Map<String, Double> before = scrape();
        try (RawHttp http = new RawHttp(router.port())) {
            for (int i = 0; i < 5; i++) {
                assertThat(http.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read().status()).isEqualTo(200);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(http.send("GET / HTTP/1.1\r\nHost: dyn.example.com\r\n\r\n").read().status()).isEqualTo(200);
            }
            assertThat(http.send("GET / HTTP/1.1\r\nHost: nobody.example.com\r\n\r\n").read().status()).isEqualTo(404);
        }
        Map<String, Double> after = scrape();
        assertThat(after.getOrDefault("podrouter_requests_total{backend=\"pod0\",code=\"200\"}", 0.0)
                - before.getOrDefault("podrouter_requests_total{backend=\"pod0\",code=\"200\"}", 0.0)).isEqualTo(8.0);
        assertThat(after.get("podrouter_requests_total{backend=\"none\",code=\"404\"}")).isEqualTo(1.0);
        assertThat(after.get("podrouter_request_duration_seconds_count")).isGreaterThanOrEqualTo(8.0);
        assertThat(after.get("podrouter_directory_lookups_total{outcome=\"tenant\"}")).isEqualTo(1.0);
        assertThat(after.get("podrouter_directory_lookups_total{outcome=\"not_tenant\"}")).isEqualTo(1.0);
        assertThat(after.get("podrouter_route_cache_requests_total{result=\"hit\"}")).isEqualTo(2.0);
        assertThat(after.get("podrouter_route_cache_entries")).isEqualTo(2.0);
        assertThat(after.get("podrouter_server_up{backend=\"pod0\",server=\"" + pod0.address() + "\"}")).isEqualTo(1.0);
        assertThat(after.get("podrouter_backend_queue{backend=\"pod0\"}")).isEqualTo(0.0);
        assertThat(after).containsKey("podrouter_connections{side=\"client\"}").containsKey("podrouter_connections{side=\"server\"}");
        assertThat(after).containsKey("podrouter_buffer_memory_bytes{kind=\"direct\"}").containsKey("podrouter_buffer_memory_bytes{kind=\"heap\"}");
        assertThat(after).containsKey("podrouter_directory_lookup_duration_seconds_count");
    }

    /** Fetches /metrics and checks every line against the text format; returns sample name+labels to value. */
    private Map<String, Double> scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + router.adminAddress().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(r.body()).endsWith("\n");
        Map<String, Double> samples = new HashMap<>();
        Set<String> typed = new HashSet<>();
        for (String line : r.body().split("\n")) {
            Matcher help = HELP.matcher(line);
            Matcher type = TYPE.matcher(line);
            if (help.matches()) {
                continue;
            }
            if (type.matches()) {
                assertThat(typed.add(type.group(1))).as("one TYPE line per family: " + line).isTrue();
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a valid sample line: '" + line + "'").isTrue();
            String family = m.group(1).replaceAll("_(total|count|sum|bucket|created)$", "");
            assertThat(typed).as("TYPE before samples of " + m.group(1)).anyMatch(t -> t.equals(family) || t.equals(m.group(1)));
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            assertThat(samples.put(key, Double.parseDouble(m.group(4).replace("+Inf", "Infinity")))).as("no duplicate sample " + key).isNull();
        }
        return samples;
    }
}
