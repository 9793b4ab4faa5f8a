package io.podrouter.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.podrouter.Podrouter;
import io.podrouter.config.HostAndPort;
import io.podrouter.directory.DirectoryServer;
import io.podrouter.testing.ListeningSockets;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadTest {
    @TempDir
    Path dir;
    EventLoopGroup group;
    DirectoryServer directory;
    TestBackend pod0;
    TestBackend pod1;
    TestBackend pod2;
    Podrouter router;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        directory = DirectoryServer.start(null, HostAndPort.parse("127.0.0.1:0"), group, NioServerSocketChannel.class);
        directory.put("dyn0.example.com", "pod0");
        directory.put("dyn1.example.com", "pod1");
        pod0 = new TestBackend("pod0");
        pod1 = new TestBackend("pod1");
        pod2 = new TestBackend("pod2");
        router = fixture().pod("pod0", pod0).pod("pod1", pod1).route("a.example.com", "pod0").start();
    }

    private RouterFixture fixture() {
        return new RouterFixture(dir)
                .routing("directory: { url: \"http://127.0.0.1:" + directory.localAddress().getPort()
                        + "/rest/private/gds/backend/{key}\" }")
                .yaml("admin: { bind: 127.0.0.1:0 }\n");
    }

    @AfterEach
    void stop() {
        router.close();
        pod0.close();
        pod1.close();
        pod2.close();
        directory.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + router.adminAddress().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String host) throws Exception {
        try (RawHttp c = new RawHttp(router.port())) {
            RawHttp.Response r = c.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
            return r.status() == 200 ? r.body().split(" ")[0] : String.valueOf(r.status());
        }
    }

    @Test
    void aValidReloadSwitchesAndKeepsCachedAnswersAndRuntimeEntries() throws Exception {
        assertThat(get("dyn0.example.com")).isEqualTo("pod0");
        assertThat(get("dyn1.example.com")).isEqualTo("pod1");
        assertThat(admin("PUT", "/maps/kept.example.com", "pod0").statusCode()).isEqualTo(200);
        assertThat(admin("PUT", "/maps/gone.example.com", "pod1").statusCode()).isEqualTo(200);
        long lookups = directory.lookups();

        // pod1 goes away, pod2 arrives, a.example.com moves to pod2.
        fixture().pod("pod0", pod0).pod("pod2", pod2).route("a.example.com", "pod2").writeConfig();
        HttpResponse<String> r = admin("POST", "/reload", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        assertThat(get("a.example.com")).isEqualTo("pod2");
        assertThat(get("kept.example.com")).as("a runtime entry survives").isEqualTo("pod0");
        assertThat(get("gone.example.com")).as("a runtime entry naming a removed pod is dropped").isEqualTo("404");
        assertThat(get("dyn0.example.com")).isEqualTo("pod0");
        assertThat(directory.lookups() - lookups).as("dyn0 is still cached; gone.example.com was asked once").isEqualTo(1);
        assertThat(router.routeCache().entry("dyn1.example.com")).as("the answer naming pod1 is dropped").isNull();
    }

    @Test
    void purgeDropsCachedAnswersSoTheNextRequestAsksTheDirectory() throws Exception {
        assertThat(get("dyn0.example.com")).isEqualTo("pod0");
        assertThat(get("dyn1.example.com")).isEqualTo("pod1");
        long lookups = directory.lookups();
        HttpResponse<String> r = admin("POST", "/maps/purge?backend=pod1", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"purged\" : 1");
        assertThat(admin("POST", "/maps/purge?backend=pod9", null).statusCode()).isEqualTo(400);
        assertThat(get("dyn0.example.com")).isEqualTo("pod0");
        assertThat(directory.lookups()).as("dyn0 was kept").isEqualTo(lookups);
        directory.put("dyn1.example.com", "pod0");
        assertThat(get("dyn1.example.com")).as("dyn1 was asked again").isEqualTo("pod0");
        assertThat(directory.lookups()).isEqualTo(lookups + 1);
        assertThat(admin("POST", "/maps/purge", null).body()).contains("\"purged\" : 2");
        assertThat(admin("GET", "/maps/dyn0.example.com", null).statusCode()).isEqualTo(404);
    }

    @Test
    void anInvalidConfigurationIsRefusedAndTheRunningOneStays() throws Exception {
        Path config = dir.resolve("podrouter.yaml");
        String good = Files.readString(config);
        Files.writeString(config, good + "tpyo: true\n");
        HttpResponse<String> r = admin("POST", "/reload", null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("tpyo").contains("unknown key");
        assertThat(get("a.example.com")).isEqualTo("pod0");
        assertThat(router.reload()).isNotEmpty();
    }

    @Test
    void reloadingUnderLoadLosesNoRequest() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread c = new Thread(() -> {
                try (RawHttp http = new RawHttp(router.port())) {
                    for (int i = 0; i < 100_000 && running.get(); i++) {
                        RawHttp.Response resp = http.send("GET /x HTTP/1.1\r\nHost: " + (i % 2 == 0 ? "a" : "dyn0")
                                + ".example.com\r\n\r\n").read();
                        if (resp == null || resp.status() != 200) {
                            failures.add(resp == null ? "closed" : resp.status() + " " + resp.body());
                            return;
                        }
                        ok.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            });
            c.start();
            clients.add(c);
        }
        for (int round = 0; round < 5; round++) {
            int before = ok.get();
            io.podrouter.testing.Poll.until("requests flow", () -> ok.get() > before + 200);
            assertThat(router.reload()).isEmpty();
        }
        running.set(false);
        for (Thread c : clients) {
            c.join(10_000);
        }
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isGreaterThan(1000);
    }

    @Test
    void aReloadWithACaFileThatIsNoCertificateChangesNothingAndSaysWhy() throws Exception {
        int listening = ListeningSockets.count();
        Files.writeString(dir.resolve("bad-ca.pem"), "this is no certificate\n");
        fixture().podYaml("pod0", "servers:\n  - { address: " + pod0.address() + ", tls: true, ca: bad-ca.pem }\n")
                .pod("pod1", pod1).route("a.example.com", "pod1")
                .listener("  - bind: 127.0.0.1:0\n    h2c: true\n").writeConfig();

        HttpResponse<String> r = admin("POST", "/reload", null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"reloaded\" : false").contains(pod0.address()).contains("pod0");
        assertThat(get("a.example.com")).as("the old routes and pods serve").isEqualTo("pod0");
        assertThat(router.addresses()).hasSize(1);
        assertThat(ListeningSockets.count()).as("the new listener was not left bound").isEqualTo(listening);
    }

    @Test
    void aReloadWithANewListenerOnABusyPortChangesNothingAndSaysWhy() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int listening = ListeningSockets.count();
            // One new listener that can bind (it must not stay bound), then one that cannot.
            fixture().pod("pod0", pod0).pod("pod1", pod1).route("a.example.com", "pod1")
                    .listener("  - bind: 127.0.0.1:0\n    h2c: true\n  - bind: 127.0.0.1:" + busy.getLocalPort() + "\n")
                    .writeConfig();

            HttpResponse<String> r = admin("POST", "/reload", null);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("\"reloaded\" : false").contains("cannot listen on 127.0.0.1:" + busy.getLocalPort());
            assertThat(get("a.example.com")).as("the old routes serve").isEqualTo("pod0");
            assertThat(router.addresses()).hasSize(1);
            assertThat(ListeningSockets.count()).as("the listener that could bind was closed again").isEqualTo(listening);
        }
        assertThat(router.reload()).as("once the port is free, the same configuration loads").isEmpty();
        assertThat(router.addresses()).hasSize(3);
        assertThat(get("a.example.com")).isEqualTo("pod1");
    }
}
