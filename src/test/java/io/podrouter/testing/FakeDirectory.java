package io.podrouter.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A tenant directory for tests that can misbehave: answer late, hold its answers until released,
 * never answer ({@link Mode#HANG}), answer 500, or stop listening. Plain blocking sockets, one
 * thread per connection, so it shares nothing (threads, buffers) with the router under test.
 *
 * <p>Speaks the directory protocol: {@code GET /rest/private/gds/backend/{key}}; an answer is
 * any status, content type, body and optional {@code Cache-Control}.
 */
public final class FakeDirectory implements AutoCloseable {
    public static final String PREFIX = "/rest/private/gds/backend/";

    public enum Mode {
        /** Answer every lookup (after the delay and the gate). */
        SERVE,
        /** Read lookups, count them, never answer (the connection stays open until the client closes it). */
        HANG,
        /** Answer 500 at once. */
        FAIL
    }

    public record Answer(int status, String contentType, String body, String cacheControl) {
        public static final Answer NOT_A_TENANT = new Answer(404, "text/plain", "not a tenant\n", null);

        public static Answer text(String backend) {
            return new Answer(200, "text/plain; charset=utf-8", backend, null);
        }

        public static Answer json(String json) {
            return new Answer(200, "application/json", json, null);
        }

        public Answer maxAge(int seconds) {
            return new Answer(status, contentType, body, "max-age=" + seconds);
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookupsPerKey = new ConcurrentHashMap<>();
    private final LongAdder lookups = new LongAdder();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Function<String, Answer> otherwise = key -> Answer.NOT_A_TENANT;
    private volatile Mode mode = Mode.SERVE;
    private volatile long delayNanos;
    private volatile CountDownLatch gate;
    private volatile boolean closed;

    public FakeDirectory() throws IOException {
        server = new ServerSocket(0, 1000, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(this::acceptLoop, "fake-directory-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The URL template for {@code routing.directory.url}. */
    public String url() {
        return "http://127.0.0.1:" + port() + PREFIX + "{key}";
    }

    public FakeDirectory answer(String key, Answer answer) {
        answers.put(key, answer);
        return this;
    }

    /** Tenants live on {@code backend} (plain text). */
    public FakeDirectory put(String key, String backend) {
        return answer(key, Answer.text(backend));
    }

    /** The answer for keys with no answer of their own (404 unless set). */
    public FakeDirectory otherwise(Function<String, Answer> answer) {
        this.otherwise = answer;
        return this;
    }

    public FakeDirectory mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    /** Every answer is sent no earlier than this long after its lookup arrived. */
    public FakeDirectory delay(long millis) {
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        return this;
    }

    /** Holds every answer until {@link #release()} (or 10 s, so a failing test cannot hang here). */
    public FakeDirectory hold() {
        this.gate = new CountDownLatch(1);
        return this;
    }

    public void release() {
        CountDownLatch g = gate;
        if (g != null) {
            g.countDown();
        }
    }

    /** Lookups received so far (counted on arrival, answered or not). */
    public long lookups() {
        return lookups.sum();
    }

    public int lookups(String key) {
        AtomicInteger n = lookupsPerKey.get(key);
        return n == null ? 0 : n.get();
    }

    /** Stops listening and drops every connection: lookups are refused from now on. */
    @Override
    public void close() {
        closed = true;
        release();
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            open.add(s);
            Thread t = new Thread(() -> serve(s), "fake-directory-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            while (!closed) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                String header;
                while ((header = line(in)) != null && !header.isEmpty()) {
                    // GET lookups carry no body; headers are not needed
                }
                long arrived = System.nanoTime();
                String[] parts = requestLine.split(" ");
                String path = parts.length > 1 ? parts[1] : "";
                if (!path.startsWith(PREFIX)) {
                    write(out, new Answer(404, "text/plain", "no such resource\n", null));
                    continue;
                }
                String key = URLDecoder.decode(path.substring(PREFIX.length()), StandardCharsets.UTF_8);
                lookups.increment();
                lookupsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                Mode m = mode;
                if (m == Mode.HANG) {
                    while (in.read() != -1) {
                        // never answer; wait for the client to give up and close
                    }
                    return;
                }
                if (m == Mode.FAIL) {
                    write(out, new Answer(500, "text/plain", "directory failure\n", null));
                    continue;
                }
                CountDownLatch g = gate;
                if (g != null) {
                    g.await(10, TimeUnit.SECONDS);
                }
                long wait;
                while ((wait = arrived + delayNanos - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                Answer a = answers.get(key);
                write(out, a != null ? a : otherwise.apply(key));
            }
        } catch (IOException | InterruptedException e) {
            // the connection is gone
        } finally {
            open.remove(s);
        }
    }

    private static void write(OutputStream out, Answer a) throws IOException {
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(a.status()).append(" Whatever\r\n")
                .append("Content-Type: ").append(a.contentType()).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (a.cacheControl() != null) {
            head.append("Cache-Control: ").append(a.cacheControl()).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return null;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
