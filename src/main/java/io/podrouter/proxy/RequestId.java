package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The id that follows a request through the logs of every hop behind the router (nginx's
 * {@code $request_id}, Envoy's {@code x-request-id}). A trusted proxy in front has already given
 * the request one, which is kept when it is a sane token; anything else a client sends is
 * replaced, so one client cannot make its requests look like another's in the logs.
 */
final class RequestId {
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    /** Longest id kept from a trusted proxy; longer ones are replaced (a log field must stay bounded). */
    static final int MAX_LENGTH = 128;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private RequestId() {
    }

    /** The id for a request with these headers: the trusted proxy's own if it sent a sane one, else a new one. */
    static String of(HttpHeaders headers, boolean fromTrustedProxy) {
        if (fromTrustedProxy) {
            String sent = headers.get(X_REQUEST_ID);
            if (sent != null && isSane(sent)) {
                return sent;
            }
        }
        return generate();
    }

    /**
     * 128 random bits in 32 hex digits. ThreadLocalRandom is per thread and takes no lock; the
     * id only has to be unique, not secret, so a cryptographic source would be cost for nothing.
     */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        // Latin-1 bytes: the String takes a copy of them as they are (from chars it would compress them first).
        byte[] id = new byte[32];
        hex(id, 0, random.nextLong());
        hex(id, 16, random.nextLong());
        return new String(id, StandardCharsets.ISO_8859_1);
    }

    private static void hex(byte[] into, int at, long bits) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = HEX[(int) bits & 0xf];
            bits >>>= 4;
        }
    }

    /** 1 to 128 visible ASCII characters: safe to put in a header and a log line as it is. */
    static boolean isSane(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
