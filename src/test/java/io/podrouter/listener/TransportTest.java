package io.podrouter.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.podrouter.Podrouter;
import io.podrouter.config.TransportChoice;
import io.podrouter.testing.CapturedLog;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every transport podrouter can run on relays requests: the tests elsewhere run on the one
 * {@code transport: auto} picks on the machine (io_uring where the kernel allows it), so the
 * others are exercised here. A transport this machine cannot load must be refused by name, with
 * the reason, and {@code auto} must fall back past it.
 */
class TransportTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TransportChoice.class)
    void relaysKeepAliveRequestsAndAStreamedBodyOnEachTransport(TransportChoice choice) throws Exception {
        if (!loadsHere(choice)) {
            assertThatThrownBy(() -> Transport.of(choice)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("transport " + choice.configName() + " is not available here: ");
            assertThat(Transport.best().fallback()).contains(choice.configName() + " is not available: ");
            return;
        }
        try (TestBackend pod = new TestBackend("pod0");
             CapturedLog log = CapturedLog.of(Podrouter.class)) {
            Podrouter router = new RouterFixture(dir).pod("pod0", pod).route("a.example.com", "pod0")
                    .yaml("transport: " + choice.configName() + "\n").start();
            try {
                String expected = Transport.of(choice).name();
                assertThat(log.events()).anySatisfy(e -> assertThat(e.getFormattedMessage())
                        .contains("started: transport " + expected));
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> r = client.send(get(router, "/n" + i), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).isEqualTo("pod0 host=a.example.com path=/n" + i);
                }
                // Larger than the socket buffers both ways: reads pause and resume on this transport too.
                byte[] body = new byte[8 * 1024 * 1024];
                new Random(7).nextBytes(body);
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(router, "/sha256"))
                        .header("Host", "a.example.com").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).isEqualTo(body.length + " "
                        + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
                HttpResponse<byte[]> download = client.send(get(router, "/download?size=" + body.length),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(download.body()).hasSize(body.length);
                assertThat(download.body()[body.length - 1]).isEqualTo(TestBackend.pattern(body.length - 1));
                assertThat(pod.connections()).isEqualTo(1);
            } finally {
                router.close();
            }
        }
    }

    /** Whether the transport loads on this machine (NIO always does). */
    static boolean loadsHere(TransportChoice choice) {
        return switch (choice) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            case AUTO, NIO -> true;
        };
    }

    private static HttpRequest get(Podrouter router, String path) {
        return HttpRequest.newBuilder(uri(router, path)).header("Host", "a.example.com").build();
    }

    private static URI uri(Podrouter router, String path) {
        return URI.create("http://127.0.0.1:" + router.port() + path);
    }
}
