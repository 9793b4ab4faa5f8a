package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.util.ResourceLeakDetector;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies stream through the router: a router process limited to a 64 MiB heap (and so, by
 * default, to 64 MiB of direct memory) relays 1 GiB uploads and downloads; a client that stops
 * reading makes the router stop reading from the server, and a server that stops reading makes it
 * stop reading from the client, instead of buffering. The router must still be alive after each test.
 *
 * <p>Nothing here holds a whole body either: upload bytes are generated and hashed as they are
 * sent, download bytes are checked as they arrive.
 */
class StreamingTest {
    private static final long GIB = 1L << 30;
    private static final long HALF_GIB = 1L << 29;
    private static final long QUARTER_GIB = 1L << 28;
    private static final String HOST = "tenant1.example.com";
    /** Routed to {@link #stallingServer}. */
    private static final String STALLING_HOST = "tenant2.example.com";
    private static final Pattern LISTENING = Pattern.compile("listening on \\[/127\\.0\\.0\\.1:(\\d+)]");

    static TestBackend backend;
    /** A hand-written server for the test where the server, not the client, stops reading. */
    static ServerSocket stallingServer;
    static Process router;
    static RouterOutput output;
    static int port;
    static HttpClient client;
    static ResourceLeakDetector.Level leakLevel;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        // The router runs in its own process, so paranoid leak tracking here would only cover
        // TestBackend, at the price of a stack trace per buffer access over gigabytes: sample instead
        // (LeakWatcher still fails the class on a reported leak). Restored in stop().
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        backend = new TestBackend("pod1");
        stallingServer = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        Path config = new RouterFixture(dir)
                .pod("pod1", backend).route(HOST, "pod1")
                .pod("pod2", "127.0.0.1:" + stallingServer.getLocalPort()).route(STALLING_HOST, "pod2")
                .writeConfig();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        router = new ProcessBuilder(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"),
                "io.podrouter.Main", "run", "-c", config.toString(), "--jit-warm-up", "0s")
                .redirectErrorStream(true)
                .start();
        Process started = router;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "stop-router"));
        output = new RouterOutput(router.getInputStream());
        port = output.awaitPort(Duration.ofSeconds(30));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void routerSurvived(TestInfo info) {
        System.out.printf("after %s: router CPU %s, test JVM CPU %s%n", info.getDisplayName(),
                cpu(router.pid()), cpu(ProcessHandle.current().pid()));
        assertThat(router.isAlive()).as("router process alive (it must not die of OutOfMemoryError)\n%s", output.tail()).isTrue();
        assertThat(output.problems()).as("out-of-memory or leak reports in the router's output").isEmpty();
    }

    @AfterAll
    static void stop() throws Exception {
        if (leakLevel != null) {
            ResourceLeakDetector.setLevel(leakLevel);
        }
        try {
            if (router != null) {
                if (router.isAlive()) {
                    System.out.println("router process " + router.pid() + " memory: " + Memory.of(router.pid()));
                }
                router.destroy();
                if (!router.waitFor(10, TimeUnit.SECONDS)) {
                    router.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (backend != null) {
                backend.close();
            }
            if (stallingServer != null) {
                stallingServer.close();
            }
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aOneGibUploadWithContentLengthArrivesIntact() throws Exception {
        GeneratedBody body = new GeneratedBody(GIB);
        HttpResponse<String> r = client.send(post(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> body), GIB)),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body.sent()).isEqualTo(GIB);
        assertThat(r.body()).isEqualTo(GIB + " " + body.sha256());
        var atServer = lastHead();
        assertThat(atServer.headers().get("content-length")).isEqualTo(Long.toString(GIB));
        assertThat(atServer.headers().contains("transfer-encoding")).isFalse();
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aOneGibChunkedUploadArrivesIntact() throws Exception {
        GeneratedBody body = new GeneratedBody(GIB);
        // Without a length, HttpClient sends the body with chunked transfer coding.
        HttpResponse<String> r = client.send(post(BodyPublishers.ofInputStream(() -> body)), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body.sent()).isEqualTo(GIB);
        assertThat(r.body()).isEqualTo(GIB + " " + body.sha256());
        var atServer = lastHead();
        assertThat(atServer.headers().get("transfer-encoding")).isEqualToIgnoringCase("chunked");
        assertThat(atServer.headers().contains("content-length")).isFalse();
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aOneGibDownloadArrivesIntact() throws Exception {
        // A raw socket: HttpClient's response path costs about twice the CPU, and this parser is strict
        // about the chunked framing the router sends.
        try (Socket socket = new Socket()) {
            ChunkedBody body = download(socket, GIB);
            PatternChecker checker = new PatternChecker();
            body.readFully(new byte[64 * 1024], 0, GIB, checker);
            assertThat(checker.offset()).isEqualTo(GIB);
            assertThat(body.atEnd()).as("the body ends after %d bytes", GIB).isTrue();
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aClientThatStopsReadingDoesNotMakeTheRouterBuffer() throws Exception {
        try (Socket socket = new Socket()) {
            ChunkedBody body = download(socket, HALF_GIB);
            PatternChecker checker = new PatternChecker();
            byte[] buf = new byte[64 * 1024];

            body.readFully(buf, 0, 1024 * 1024, checker);
            // Stop reading for a second: the router must stop reading from the server rather
            // than take in what the server keeps offering.
            routerMemoryStaysFlatFor(Duration.ofSeconds(1), "the client did not read");

            body.readFully(buf, 0, HALF_GIB - checker.offset(), checker);
            assertThat(checker.offset()).isEqualTo(HALF_GIB);
            assertThat(body.atEnd()).as("the body ends after %d bytes", HALF_GIB).isTrue();
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aServerThatStopsReadingDoesNotMakeTheRouterBuffer() throws Exception {
        // 256 MiB: four times all the heap and direct memory the router has.
        GeneratedBody body = new GeneratedBody(QUARTER_GIB);
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                        .header("Host", STALLING_HOST)
                        .POST(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> body), QUARTER_GIB))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        try (Socket server = stallingServer.accept()) {
            server.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(server.getInputStream(), 64 * 1024);
            long length = -1;
            String l;
            while (!(l = line(in)).isEmpty()) {
                if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(l.substring(15).trim());
                }
            }
            assertThat(length).isEqualTo(QUARTER_GIB);
            // Take nothing of the body for a second: the router must stop reading from the client
            // rather than take in what the client keeps sending.
            routerMemoryStaysFlatFor(Duration.ofSeconds(1), "the server did not read");
            assertThat(response).isNotDone();

            MessageDigest digest = newSha256();
            byte[] buf = new byte[64 * 1024];
            long received = 0;
            int n;
            while (received < length && (n = in.read(buf, 0, (int) Math.min(buf.length, length - received))) != -1) {
                digest.update(buf, 0, n);
                received += n;
            }
            String answer = received + " " + HexFormat.of().formatHex(digest.digest());
            server.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length()
                    + "\r\nConnection: close\r\n\r\n" + answer).getBytes(StandardCharsets.US_ASCII));
            server.getOutputStream().flush();
        }
        HttpResponse<String> r = response.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body.sent()).isEqualTo(QUARTER_GIB);
        assertThat(r.body()).isEqualTo(QUARTER_GIB + " " + body.sha256());
    }

    /**
     * Watches the router's resident memory for {@code time}: had the router kept reading from the
     * side that can send while the other side takes nothing, its direct buffers would grow towards
     * their 64 MiB limit within a fraction of a second.
     */
    private static void routerMemoryStaysFlatFor(Duration time, String while_) throws Exception {
        long before = Memory.of(router.pid()).rss();
        long peak = before;
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline) {
            peak = Math.max(peak, Memory.of(router.pid()).rss());
            assertThat(router.isAlive()).as("router alive while " + while_).isTrue();
            Thread.sleep(50);
        }
        if (before > 0) {
            System.out.printf("router RSS while %s: %d MiB before, %d MiB at most%n", while_, before >> 20, peak >> 20);
            assertThat(peak - before).as("router RSS growth while " + while_).isLessThan(16L << 20);
        }
    }

    /** The head of the last request the server got (the one just answered). */
    private static io.netty.handler.codec.http.HttpRequest lastHead() {
        List<io.netty.handler.codec.http.HttpRequest> heads = backend.heads();
        io.netty.handler.codec.http.HttpRequest head = heads.get(heads.size() - 1);
        assertThat(head.uri()).isEqualTo("/sha256");
        return head;
    }

    /** User and system CPU time of a process so far, from /proc (Linux). */
    static String cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return "user " + Long.parseLong(f[11]) / 100.0 + " s sys " + Long.parseLong(f[12]) / 100.0 + " s";
        } catch (IOException e) {
            return "?";
        }
    }

    /** Asks for {@code size} bytes of /download on a raw connection; returns the body, its head read. */
    private static ChunkedBody download(Socket socket, long size) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /download?size=" + size + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new ChunkedBody(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    }

    private static HttpRequest post(BodyPublisher publisher) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sha256"))
                .header("Host", HOST)
                .POST(publisher)
                .build();
    }

    /**
     * {@code length} bytes of a fixed pseudo-random block repeated (its length is prime, so it
     * does not line up with any buffer size), hashed as they are handed out.
     */
    static final class GeneratedBody extends InputStream {
        private static final byte[] BLOCK = new byte[1_048_573];

        static {
            new Random(20240611L).nextBytes(BLOCK);
        }

        private final long length;
        private final MessageDigest digest = newSha256();
        private long position;

        GeneratedBody(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == length) {
                return -1;
            }
            int at = (int) (position % BLOCK.length);
            int n = (int) Math.min(Math.min(len, length - position), BLOCK.length - at);
            System.arraycopy(BLOCK, at, b, off, n);
            digest.update(b, off, n);
            position += n;
            return n;
        }

        long sent() {
            return position;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    /** Checks received bytes against {@link TestBackend#pattern} as they arrive. */
    static final class PatternChecker {
        private static final int PIECE = 64 * 1024;
        /** The pattern from offset 0, long enough to compare a piece starting at any offset modulo 26. */
        private static final byte[] EXPECTED = new byte[PIECE + 26];

        static {
            for (int i = 0; i < EXPECTED.length; i++) {
                EXPECTED[i] = TestBackend.pattern(i);
            }
        }

        private long offset;

        void check(byte[] b, int off, int len) {
            int end = off + len;
            while (off < end) {
                int n = Math.min(PIECE, end - off);
                int phase = (int) (offset % 26);
                int at = Arrays.mismatch(b, off, off + n, EXPECTED, phase, phase + n);
                if (at >= 0) {
                    fail("byte at offset " + (offset + at) + " is " + b[off + at] + ", expected " + TestBackend.pattern(offset + at));
                }
                off += n;
                offset += n;
            }
        }

        long offset() {
            return offset;
        }
    }

    /** Reads a response head and then its chunked body from a raw connection, a piece at a time. */
    static final class ChunkedBody {
        private final InputStream in;
        private long chunkLeft;
        private boolean ended;

        ChunkedBody(InputStream in) throws IOException {
            this.in = in;
            String status = line();
            assertThat(status).startsWith("HTTP/1.1 200 ");
            boolean chunked = false;
            String l;
            while (!(l = line()).isEmpty()) {
                String lower = l.toLowerCase(Locale.ROOT);
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            assertThat(chunked).as("chunked response").isTrue();
        }

        /** Reads exactly {@code count} body bytes, checking them. */
        void readFully(byte[] buf, int off, long count, PatternChecker checker) throws IOException {
            while (count > 0) {
                if (chunkLeft == 0) {
                    nextChunk();
                    if (ended) {
                        fail("body ended " + count + " bytes early, at offset " + checker.offset());
                    }
                }
                int n = in.read(buf, off, (int) Math.min(Math.min(buf.length - off, count), chunkLeft));
                if (n == -1) {
                    fail("connection closed in the middle of the body, at offset " + checker.offset());
                }
                checker.check(buf, off, n);
                chunkLeft -= n;
                count -= n;
                if (chunkLeft == 0) {
                    assertThat(line()).as("CRLF after chunk data").isEmpty();
                }
            }
        }

        /** True when the last chunk (and the empty trailer) comes next. */
        boolean atEnd() throws IOException {
            if (chunkLeft == 0 && !ended) {
                nextChunk();
            }
            return ended;
        }

        private void nextChunk() throws IOException {
            String size = line();
            int semicolon = size.indexOf(';');
            chunkLeft = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (chunkLeft == 0) {
                ended = true;
                while (!line().isEmpty()) {
                    // trailer fields
                }
            }
        }

        private String line() throws IOException {
            return StreamingTest.line(in);
        }
    }

    /** One CRLF-terminated line, without its end. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c == -1) {
                throw new IOException("connection closed in the middle of a line: " + b);
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** The router's stdout, read on a background thread: the bound port, a tail, and reports of trouble. */
    static final class RouterOutput {
        private final CompletableFuture<Integer> port = new CompletableFuture<>();
        private final ArrayDeque<String> tail = new ArrayDeque<>();
        private final List<String> problems = new CopyOnWriteArrayList<>();

        RouterOutput(InputStream stdout) {
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        System.out.println("[router] " + line);
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > 100) {
                                tail.removeFirst();
                            }
                        }
                        if (line.contains("OutOfMemoryError") || line.contains("OutOfDirectMemoryError") || line.contains("LEAK:")) {
                            problems.add(line);
                        }
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                } finally {
                    port.completeExceptionally(new IllegalStateException("router exited before listening:\n" + tail()));
                }
            }, "router-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        int awaitPort(Duration timeout) throws Exception {
            try {
                return port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("router did not log its port within " + timeout + ":\n" + tail(), e);
            }
        }

        String tail() {
            synchronized (tail) {
                return String.join("\n", tail);
            }
        }

        List<String> problems() {
            return problems;
        }
    }

    /** Resident and peak resident memory of a process, from /proc (Linux; -1 where unknown). */
    record Memory(long rss, long peakRss) {
        static Memory of(long pid) throws IOException {
            long rss = -1;
            long hwm = -1;
            Path status = Path.of("/proc", Long.toString(pid), "status");
            if (!Files.exists(status)) {
                return new Memory(rss, hwm);
            }
            for (String l : Files.readAllLines(status)) {
                if (l.startsWith("VmRSS:")) {
                    rss = kib(l);
                } else if (l.startsWith("VmHWM:")) {
                    hwm = kib(l);
                }
            }
            return new Memory(rss, hwm);
        }

        private static long kib(String line) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }

        @Override
        public String toString() {
            return "RSS " + (rss >> 20) + " MiB, peak RSS " + (peakRss >> 20) + " MiB";
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
