package io.podrouter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Redis (Debian's {@code redis-server}, which {@code .ci/run} installs) for one test class:
 * started on a free port of 127.0.0.1 with no persistence, stopped by its PID.
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts one, retrying on another port if the one picked was taken in between. */
    public static RedisServer start(Path dir) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                port = probe.getLocalPort();
            }
            Path log = dir.resolve("redis-" + port + ".log");
            Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--logfile", log.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis-" + port + ".out").toFile()).start();
            RedisServer server = new RedisServer(p, port);
            if (server.awaitPong(TimeUnit.SECONDS.toNanos(10))) {
                return server;
            }
            server.close();
            last = new IOException("redis-server did not start on port " + port + ": "
                    + (Files.exists(log) ? Files.readString(log) : "no log"));
        }
        throw last;
    }

    private boolean awaitPong(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (System.nanoTime() - deadline < 0 && process.isAlive()) {
            try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                s.setSoTimeout(1000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[7];
                int n = s.getInputStream().read(buf);
                if (n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return true;
                }
            } catch (IOException e) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        return false;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** Runs {@code redis-cli} against this server and returns what it printed (the way an operator would write). */
    public String cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.startsWith("ERR")
                || out.startsWith("(error)")) {
            throw new IOException("redis-cli " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

}
