package io.podrouter.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A server on a plain {@link ServerSocket} for server behaviour that a real HTTP server would not
 * produce: it reads request heads (no bodies) and answers each with the {@link Reply} that
 * {@code answer} gives for the request's path: bytes sent exactly as given, then the connection
 * kept open or closed. A kept connection is read on, so the backend also sees when the router
 * closes it.
 */
public final class RawBackend implements AutoCloseable {
    private final ServerSocket server;
    private final Function<String, Reply> answer;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closedByPeer = new AtomicInteger();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public RawBackend(Function<String, Reply> answer) throws IOException {
        this.answer = answer;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "raw-backend-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Connections that the other side (the router) closed. */
    public int closedByPeer() {
        return closedByPeer.get();
    }

    /** Request paths received, in order. */
    public List<String> paths() {
        return paths;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            sockets.add(s);
            Thread t = new Thread(() -> serve(s), "raw-backend-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    closedByPeer.incrementAndGet();
                    return;
                }
                String path = head.split(" ", 3)[1];
                paths.add(path);
                Reply reply = answer.apply(path);
                if (reply.resets()) {
                    s.setSoLinger(true, 0); // close with RST instead of FIN
                    return;
                }
                out.write(reply.bytes().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (reply.thenClose()) {
                    return;
                }
            }
        } catch (IOException e) {
            // closed by close() or reset by the router: either way, this connection is over
            if (!server.isClosed()) {
                closedByPeer.incrementAndGet();
            }
        }
    }

    /** The request head up to the blank line; null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        int last4 = 0;
        while ((c = in.read()) != -1) {
            b.write(c);
            last4 = last4 << 8 | c;
            if (last4 == ('\r' << 24 | '\n' << 16 | '\r' << 8 | '\n')) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** What to send for one request, and whether to close the connection after it (with a reset: nothing sent). */
    public record Reply(String bytes, boolean thenClose, boolean resets) {
        public static Reply send(String bytes) {
            return new Reply(bytes, false, false);
        }

        public static Reply sendAndClose(String bytes) {
            return new Reply(bytes, true, false);
        }

        /** Resets the connection (RST) without answering. */
        public static Reply reset() {
            return new Reply("", true, true);
        }

        /** A well-formed 200 response with a text body. */
        public static Reply ok(String body) {
            return send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
