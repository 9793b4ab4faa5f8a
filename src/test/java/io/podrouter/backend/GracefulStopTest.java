package io.podrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graceful stop refuses new connections at once and lets the requests in flight finish. */
class GracefulStopTest {
    private static final String HOST = "t.example.com";
    private static final Pattern LISTENING = Pattern.compile("listening on \\[/127\\.0\\.0\\.1:(\\d+)]");

    @TempDir
    Path dir;
    TestBackend backend;
    Podrouter router;
    Process process;

    @BeforeEach
    void startBackend() throws Exception {
        backend = new TestBackend("app");
    }

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        if (router != null) {
            router.close();
        }
        backend.close();
    }

    private RouterFixture fixture() {
        return new RouterFixture(dir)
                .pod("pool", backend)
                .route(HOST, "pool")
                .yaml("shutdown:\n  grace: 10s\n");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * True when a connection to {@code port} is refused. A probe that reaches the accept queue just
     * as the listener closes is reset instead: the listener is going, but not yet gone, so poll on.
     */
    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (SocketException e) {
            return false;
        } catch (IOException e) {
            throw new AssertionError("connecting to " + port + ": " + e, e);
        }
    }

    /**
     * Sends {@code n} requests on their own connections and waits until the server holds them all:
     * they stay in flight until {@link TestBackend#releaseHeld()}, however slow the machine is.
     */
    private List<RawHttp> inFlight(int port, int n) throws IOException {
        List<RawHttp> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(new RawHttp(port).send(Requests.get("/hold", HOST)));
        }
        Poll.until(Duration.ofSeconds(10), n + " requests in flight at the server", () -> backend.held() == n);
        return clients;
    }

    private static void assertAllComplete(List<RawHttp> clients) throws IOException {
        for (RawHttp c : clients) {
            RawHttp.Response r = c.read();
            assertThat(r).as("a response").isNotNull();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("app held");
            // Connection: close is not asserted: a response that ends before drain() has marked the
            // connections draining is sent keep-alive, and its connection is closed right after it.
            assertThat(c.closedByServer()).as("the router keeps no connection alive while it stops").isTrue();
            c.close();
        }
    }

    @Test
    void stopGracefullyRefusesNewConnectionsAtOnceAndLetsRequestsInFlightComplete() throws Exception {
        router = fixture().start();
        int port = router.port();
        RawHttp idle = new RawHttp(port);
        assertThat(idle.send(Requests.get("/", HOST)).read().status()).isEqualTo(200);
        List<RawHttp> clients = inFlight(port, 10);

        long start = System.nanoTime();
        Thread stopper = new Thread(router::stopGracefully, "test-stopper");
        stopper.start();
        Poll.until(Duration.ofSeconds(2), "new connections refused", () -> refused(port));
        long refusedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(refusedAfter).as("ms until new connections were refused").isLessThan(1000);
        assertThat(backend.inFlight()).as("requests still in flight when connections were refused").isEqualTo(10);
        assertThat(idle.closedByServer()).as("an idle kept-alive connection is closed at once").isTrue();
        idle.close();
        assertThat(stopper.isAlive()).as("stopGracefully waits for the requests in flight").isTrue();

        backend.releaseHeld();
        assertAllComplete(clients);
        stopper.join(5000);
        assertThat(stopper.isAlive()).as("stopGracefully returned").isFalse();
        router = null;
    }

    @Test
    void sigtermStopsTheRunCommandTheSameWayAndItExits() throws Exception {
        Path config = fixture().writeConfig();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Output to a file: Process.destroy() closes the pipes, and the last lines come after it.
        Path log = dir.resolve("router.log");
        process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "io.podrouter.Main",
                "run", "-c", config.toString(), "--jit-warm-up", "0s")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        int[] port = {0};
        Poll.until(Duration.ofSeconds(20), "the router's 'listening on' line", () -> {
            Matcher m = LISTENING.matcher(read(log));
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            return !process.isAlive();
        });
        assertThat(port[0]).as("port; output: %s", read(log)).isPositive();
        List<RawHttp> clients = inFlight(port[0], 5);

        long start = System.nanoTime();
        process.destroy(); // SIGTERM
        Poll.until(Duration.ofSeconds(2), "new connections refused", () -> refused(port[0]));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms until new connections were refused")
                .isLessThan(1000);
        assertThat(backend.inFlight()).as("requests still in flight when connections were refused").isEqualTo(5);
        assertThat(process.isAlive()).as("the router waits for the requests in flight").isTrue();

        backend.releaseHeld();
        assertAllComplete(clients);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the process exited; output: %s", read(log)).isTrue();
        String output = read(log);
        assertThat(output).contains("podrouter stopped").doesNotContain("ERROR").doesNotContain("Exception");
        // The JVM ends a run stopped by a signal with 128 + 15, after the shutdown hook (the graceful stop) returned.
        assertThat(process.exitValue()).as("exit code; output: %s", output).isEqualTo(143);
    }
}
