package io.podrouter.proxy;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The header names clients and servers send most, each one AsciiString shared by every message
 * that names it, spelled as the sender spelled it (Title-Case, as browsers, nginx and most
 * HTTP/1.1 software write them, or lower case, as HTTP/2-era software does). Netty's decoders
 * otherwise copy every name into a new AsciiString (its request decoder spares five).
 */
final class CommonHeaderNames {
    private static final String[] NAMES = {
        // requests
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Cookie", "Referer", "Authorization",
        "Origin", "If-None-Match", "If-Modified-Since", "Upgrade-Insecure-Requests", "X-Forwarded-For",
        "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP", "Upgrade", "Sec-Fetch-Site", "Sec-Fetch-Mode",
        "Sec-Fetch-Dest", "Priority", "TE", "Expect", "Range",
        // responses (and both)
        "Server", "Date", "Content-Type", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding",
        "Cache-Control", "Last-Modified", "ETag", "Vary", "Accept-Ranges", "Expires", "Location", "Set-Cookie",
        "Content-Encoding", "Content-Language", "Content-Disposition", "Content-Security-Policy", "Pragma", "Age",
        "Via", "Link", "Alt-Svc", "Retry-After", "WWW-Authenticate", "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials", "Strict-Transport-Security", "X-Content-Type-Options",
        "X-Frame-Options", "Referrer-Policy", "X-Request-Id",
    };
    private static final int LONGEST = 40;
    /** By length: the names of that length, both spellings. */
    private static final AsciiString[][] BY_LENGTH = new AsciiString[LONGEST + 1][];

    static {
        List<List<AsciiString>> lists = new ArrayList<>();
        for (int i = 0; i <= LONGEST; i++) {
            lists.add(new ArrayList<>());
        }
        for (String name : NAMES) {
            lists.get(name.length()).add(AsciiString.cached(name));
            lists.get(name.length()).add(AsciiString.cached(name.toLowerCase(java.util.Locale.ROOT)));
        }
        for (int i = 0; i <= LONGEST; i++) {
            BY_LENGTH[i] = lists.get(i).toArray(new AsciiString[0]);
        }
    }

    private CommonHeaderNames() {
    }

    /** The shared name spelled exactly as {@code bytes[start, start + length)}, or null. */
    static AsciiString find(byte[] bytes, int start, int length) {
        if (length > LONGEST) {
            return null;
        }
        for (AsciiString name : BY_LENGTH[length]) {
            if (sameBytes(name, bytes, start, length)) {
                return name;
            }
        }
        return null;
    }

    private static boolean sameBytes(AsciiString name, byte[] bytes, int start, int length) {
        int offset = name.arrayOffset();
        return Arrays.equals(name.array(), offset, offset + length, bytes, start, start + length);
    }
}
