package io.podrouter.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.podrouter.Podrouter;
import io.podrouter.config.TransportChoice;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each event loop accepts its own connections (ProxyListener): on Linux's native transports every
 * loop has a listening socket of its own on the listener's port, and the kernel spreads the
 * connections over them; on NIO one socket accepts for all the loops. Read from /proc/net/tcp,
 * where the kernel lists every listening socket.
 */
class ListeningSocketsTest {
    private static final int LOOPS = 3;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void everyLoopListensOnTheNativeTransportsAndEachSocketServes(TransportChoice choice) throws Exception {
        if (!loadsHere(choice)) {
            return; // TransportTest checks that a transport which does not load is refused
        }
        try (TestBackend pod = new TestBackend("pod0")) {
            Podrouter router = new RouterFixture(dir).pod("pod0", pod).route("a.example.com", "pod0")
                    .yaml("transport: " + choice.configName() + "\nthreads: " + LOOPS + "\n").start();
            int port = router.port();
            try {
                assertThat(listeningSockets(port)).isEqualTo(choice == TransportChoice.NIO ? 1 : LOOPS);
                // Each from a port of its own, so the kernel's hash sends them to every socket (the
                // chance that 30 miss one of three is about 1 in 60,000): none may go unanswered.
                for (int i = 0; i < 30; i++) {
                    assertThat(getOnANewConnection(port, "/n" + i)).startsWith("HTTP/1.1 200 ")
                            .endsWith("pod0 host=a.example.com path=/n" + i);
                }
            } finally {
                router.close();
            }
            assertThat(listeningSockets(port)).isZero();
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
                assertThat(listeningSockets(port)).isEqualTo(Transport.best().spreadsSharedPorts() ? LOOPS : 1);
                for (int i = 0; i < 10; i++) {
                    assertThat(getOnANewConnection(port, "/still")).startsWith("HTTP/1.1 200 ");
                }
            } finally {
                first.close();
            }
        }
    }

    private static String getOnANewConnection(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: a.example.com\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Sockets in LISTEN state (0A) on the port: in tcp6 too, since the native transports open
     * IPv6 sockets even for 127.0.0.1 (bound to ::ffff:127.0.0.1).
     */
    private static long listeningSockets(int port) throws IOException {
        String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
        long n = 0;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            n += Files.readAllLines(Path.of(table)).stream().skip(1)
                    .map(line -> line.trim().split("\\s+"))
                    .filter(f -> f[1].endsWith(hexPort) && f[3].equals("0A"))
                    .count();
        }
        return n;
    }

    private static boolean loadsHere(TransportChoice choice) {
        return switch (choice) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            default -> true;
        };
    }
}
