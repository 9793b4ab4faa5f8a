package io.podrouter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards TCP connections from a port of 127.0.0.1 to another, and can be cut (listener and
 * every connection closed) and restored on the same port: a network cut between a router and a
 * server that others still reach directly.
 */
public final class TcpForwarder implements AutoCloseable {
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private int port;

    public TcpForwarder(int targetPort) throws IOException {
        this.targetPort = targetPort;
        restore();
    }

    public int port() {
        return port;
    }

    /** Closes the listener and every forwarded connection: peers see their connections reset. */
    public synchronized void cut() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /** Listens again, on the same port as before. */
    public synchronized void restore() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 100);
        port = s.getLocalPort();
        server = s;
        Thread acceptor = new Thread(() -> accept(s), "tcp-forwarder-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket target = new Socket(InetAddress.getByName("127.0.0.1"), targetPort);
                open.add(client);
                open.add(target);
                if (server != s) { // cut while connecting
                    client.close();
                    target.close();
                    continue;
                }
                pump(client, target);
                pump(target, client);
            } catch (IOException e) {
                // closed by cut(), or the target refused: the client sees its connection close
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-forwarder-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
