package io.podrouter.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.testing.ChildRouter;
import io.podrouter.testing.Poll;
import io.podrouter.testing.ProcessLines;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.TestBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code podrouter run} under a low file-descriptor limit ({@code ulimit -n 320}: a budget
 * of 220 sockets), with more requests in flight at once than it has sockets for a server
 * connection each. It must not open a connection past its budget: the requests beyond it wait for
 * a connection another gives back, and answer 503 only when none comes within the queue timeout.
 */
class SocketBudgetTest {
    private static final int FILE_LIMIT = 320;
    private static final int CLIENTS = 160;
    private static final Pattern LISTENING = Pattern.compile("listening on \\[/127\\.0\\.0\\.1:(\\d+)]");

    @Test
    void theBudgetIsTheLimitLessAReserve() {
        assertThat(SocketBudget.forLimit(FILE_LIMIT)).isEqualTo(220);
        assertThat(SocketBudget.forLimit(20_000)).isEqualTo(19_000);
        assertThat(SocketBudget.forLimit(50)).isEqualTo(1);
    }

    @Test
    void requestsPastTheBudgetWaitForAServerConnectionInsteadOfFailing(@TempDir Path dir) throws Exception {
        try (TestBackend pod = new TestBackend("pod0")) {
            Process router = start(dir, pod);
            try {
                ProcessLines log = new ProcessLines(router);
                int port = port(log);
                List<RawHttp> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < CLIENTS; i++) {
                        clients.add(new RawHttp(port).timeout(10_000));
                    }
                    // 160 clients leave the router 60 sockets for server connections: 160 requests
                    // of 300 ms each go through them in three rounds, well inside the 2 s queue timeout.
                    for (RawHttp c : clients) {
                        c.send("GET /slow?ms=300 HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n");
                    }
                    for (RawHttp c : clients) {
                        assertThat(c.read().status()).isEqualTo(200);
                    }
                    // The budget is checked, not reserved: a client accepted after a connect began, or two
                    // event loops checking at once, can take it a few past, which the reserve absorbs.
                    assertThat(pod.connections()).as("server connections opened").isLessThanOrEqualTo(220 - CLIENTS + 4);

                    // Held answers keep every server connection busy: the requests past them wait
                    // the queue timeout, then get a 503 that says why; the held ones answer once let go.
                    for (RawHttp c : clients) {
                        c.send("GET /hold HTTP/1.1\r\nHost: tenant.example.com\r\n\r\n");
                    }
                    ExecutorService readers = Executors.newFixedThreadPool(CLIENTS);
                    try {
                        AtomicInteger refused = new AtomicInteger();
                        List<Future<RawHttp.Response>> answers = new ArrayList<>();
                        for (RawHttp c : clients) {
                            answers.add(readers.submit(() -> {
                                RawHttp.Response r = c.read();
                                if (r != null && r.status() == 503) {
                                    refused.incrementAndGet();
                                }
                                return r;
                            }));
                        }
                        Poll.until("every server connection holds a request", () -> pod.held() > 0 && pod.held() == pod.openConnections());
                        int held = pod.held();
                        Poll.until("the requests without a connection are refused", () -> refused.get() == CLIENTS - held);
                        pod.releaseHeld();
                        int ok = 0;
                        for (Future<RawHttp.Response> answer : answers) {
                            RawHttp.Response r = answer.get(10, TimeUnit.SECONDS);
                            if (r.status() == 200) {
                                ok++;
                            } else {
                                assertThat(r.status()).isEqualTo(503);
                            }
                        }
                        assertThat(ok).isEqualTo(held);
                        assertThat(logLine(log, "out of sockets")).as("the log says why").contains("WARN", "503");
                    } finally {
                        readers.shutdownNow();
                    }
                } finally {
                    for (RawHttp c : clients) {
                        c.close();
                    }
                }
            } finally {
                router.destroyForcibly();
                router.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Process start(Path dir, TestBackend pod) throws Exception {
        Path config = ChildRouter.config(dir, pod.address(), """
                timeouts: { queue: 2s }
                access-log: { enabled: false }
                """);
        String java = ChildRouter.java();
        String classPath = ChildRouter.mainClassPath();
        return new ProcessBuilder("bash", "-c", "ulimit -n " + FILE_LIMIT + " && exec \"$@\"", "podrouter",
                java, "-cp", classPath, "io.podrouter.Main", "run", "-c", config.toString(), "--jit-warm-up", "0s")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String logLine(ProcessLines stdout, String containing) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String line;
        while ((line = stdout.next(deadline)) != null) {
            if (line.contains(containing)) {
                return line;
            }
        }
        return "(no line with \"" + containing + "\" within 10 s)";
    }

    private static int port(ProcessLines stdout) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = stdout.next(deadline);
            assertThat(line).as("a start-up line within 30 s (lines so far: " + lines + ")").isNotNull();
            lines.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
    }
}
