package io.podrouter.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A raw socket HTTP/1.1 client: sends exactly the bytes a test writes (malformed ones included)
 * and reads responses framed by Content-Length or chunked coding.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Over a socket already connected (a TLS socket, say). */
    public RawHttp(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** How long a read may wait (10 s unless set). */
    public RawHttp timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
        return this;
    }

    public RawHttp send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Reads one response; null when the connection is closed before a status line. */
    public Response read() throws IOException {
        return read(false);
    }

    /** Reads the response to a HEAD request: headers only, whatever they say about a body. */
    public Response readHeadResponse() throws IOException {
        return read(true);
    }

    private Response read(boolean headOnly) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            return null;
        }
        StringBuilder head = new StringBuilder();
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            head.append(l).append('\n');
            String lower = l.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(l.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headOnly) {
            return new Response(status, head.toString(), "", statusLine);
        }
        if (chunked) {
            while (true) {
                int size = Integer.parseInt(line().trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(size));
                line();
            }
        } else if (length >= 0) {
            body.write(in.readNBytes((int) length));
        } else if (close && status >= 200 && status != 204 && status != 304) {
            body.write(in.readAllBytes());
        }
        return new Response(status, head.toString(), body.toString(StandardCharsets.UTF_8), statusLine);
    }

    /**
     * True when for {@code millis} the server neither sent anything nor closed the connection: it
     * is still open and quiet after that long. The socket timeout is restored afterwards.
     */
    public boolean openAndQuietFor(int millis) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            in.read();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        } catch (java.net.SocketException e) {
            return false;
        } finally {
            socket.setSoTimeout(timeout);
        }
    }

    /** True when the server closed the connection (reads end of stream within the socket timeout). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One response: status code, header lines (without the status line), body, and the status line itself. */
    public record Response(int status, String head, String body, String statusLine) {
        public String header(String name) {
            for (String l : head.split("\n")) {
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).equalsIgnoreCase(name)) {
                    return l.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }
}
