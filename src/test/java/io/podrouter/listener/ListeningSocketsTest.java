package io.podrouter.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podrouter.Podrouter;
import io.podrouter.config.TransportChoice;
import io.podrouter.testing.ListeningSockets;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each event loop accepts its own connections (ProxyListener): on Linux's native transports every
 * loop has a listening socket of its own on the listener's port, and the kernel spreads the
 * connections over them; on NIO one socket accepts for all the loops.
 */
class ListeningSocketsTest {
    private static final int LOOPS = 3;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void everyLoopListensOnTheNativeTransportsAndEachSocketServes(TransportChoice choice) throws Exception {
        if (!TransportTest.loadsHere(choice)) {
            return; // TransportTest checks that a transport which does not load is refused
        }
        try (TestBackend pod = new TestBackend("pod0")) {
            Podrouter router = new RouterFixture(dir).pod("pod0", pod).route("a.example.com", "pod0")
                    .yaml("transport: " + choice.configName() + "\nthreads: " + LOOPS + "\n").start();
            int port = router.port();
            try {
                assertThat(ListeningSockets.onPort(port)).isEqualTo(choice == TransportChoice.NIO ? 1 : LOOPS);
                // Each from a port of its own, so the kernel's hash sends them to every socket (the
                // chance that 30 miss one of three is about 1 in 60,000): none may go unanswered.
                for (int i = 0; i < 30; i++) {
                    RawHttp.Response r = getOnANewConnection(port, "/n" + i);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body()).isEqualTo("pod0 host=a.example.com path=/n" + i);
                }
            } finally {
                router.close();
            }
            assertThat(ListeningSockets.onPort(port)).isZero();
        }
    }

    @Test
    void aPortAnotherRouterListensOnIsRefusedNotShared() throws Exception {
        try (TestBackend pod = new TestBackend("pod0")) {
            Podrouter first = new RouterFixture(dir).pod("pod0", pod).route("a.example.com", "pod0")
                    .yaml("threads: " + LOOPS + "\n").start();
            try {
                int port = first.port();
                Path second = Files.createDirectory(dir.resolve("second"));
                RouterFixture fixture = new RouterFixture(second).pod("pod0", pod).route("a.example.com", "pod0")
                        .listener("  - bind: 127.0.0.1:" + port + "\n").yaml("threads: " + LOOPS + "\n");
                assertThatThrownBy(fixture::start).hasMessageContaining("cannot listen on 127.0.0.1:" + port);
                assertThat(ListeningSockets.onPort(port)).isEqualTo(Transport.best().spreadsSharedPorts() ? LOOPS : 1);
                for (int i = 0; i < 10; i++) {
                    assertThat(getOnANewConnection(port, "/still").status()).isEqualTo(200);
                }
            } finally {
                first.close();
            }
        }
    }

    private static RawHttp.Response getOnANewConnection(int port, String path) throws IOException {
        try (RawHttp client = new RawHttp(port)) {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: a.example.com\r\nConnection: close\r\n\r\n").read();
        }
    }
}
