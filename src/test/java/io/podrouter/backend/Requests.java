package io.podrouter.backend;

import io.podrouter.testing.RawHttp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Client helpers for the pod tests: many connections at once, or one request at a time. */
final class Requests {
    private Requests() {
    }

    /**
     * Opens {@code n} connections, then writes one request on each (so the router gets them all
     * within a few milliseconds), then reads every answer. One thread: the answers wait in the
     * sockets until they are read.
     */
    static List<RawHttp.Response> atOnce(int port, int n, String request) throws IOException {
        List<RawHttp> connections = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                connections.add(new RawHttp(port));
            }
            for (RawHttp c : connections) {
                c.send(request);
            }
            List<RawHttp.Response> responses = new ArrayList<>(n);
            for (RawHttp c : connections) {
                responses.add(c.read());
            }
            return responses;
        } finally {
            for (RawHttp c : connections) {
                c.close();
            }
        }
    }

    static String get(String path, String host) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    /** One GET on a new connection. */
    static RawHttp.Response getOnce(int port, String path, String host) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            return http.send(get(path, host)).read();
        }
    }

    static long count(List<RawHttp.Response> responses, int status) {
        return responses.stream().filter(r -> r != null && r.status() == status).count();
    }
}
