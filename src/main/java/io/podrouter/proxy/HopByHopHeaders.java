package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1):
 * Connection and every header it names, Keep-Alive, TE, Trailer, Upgrade and all Proxy-* headers.
 * Framing headers (Content-Length, Transfer-Encoding) are left to the codecs.
 */
final class HopByHopHeaders {
    private static final AsciiString PROXY_PREFIX = AsciiString.cached("proxy-");

    private HopByHopHeaders() {
    }

    /** The protocol a request asks to switch to ({@code Connection: upgrade} with {@code Upgrade}), or null. */
    static String upgradeRequested(HttpHeaders headers) {
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || upgrade.isBlank()) {
            return null;
        }
        return headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true) ? upgrade.trim() : null;
    }

    static void strip(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            // Every Connection line counts: several lines are one comma-separated list (RFC 9110 5.3).
            List<CharSequence> named = null;
            Iterator<? extends CharSequence> lines = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
            while (lines.hasNext()) {
                named = namedIn(lines.next(), named);
            }
            headers.remove(HttpHeaderNames.CONNECTION);
            if (named != null) {
                for (CharSequence name : named) {
                    headers.remove(name);
                }
            }
        }
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        headers.remove(HttpHeaderNames.UPGRADE);
        removeProxyHeaders(headers);
    }

    /**
     * Adds to {@code named} the headers a Connection line names, but the framing ones. The usual
     * lines ({@code keep-alive}, {@code close}) name no header to remove (Keep-Alive goes anyway,
     * Close is a reserved name no one sends): they add nothing and allocate nothing, since this
     * runs on every request and every response.
     */
    private static List<CharSequence> namedIn(CharSequence line, List<CharSequence> named) {
        int n = line.length();
        int start = 0;
        while (start < n) {
            int comma = start;
            while (comma < n && line.charAt(comma) != ',') {
                comma++;
            }
            int from = start;
            int to = comma;
            while (from < to && isSpace(line.charAt(from))) {
                from++;
            }
            while (to > from && isSpace(line.charAt(to - 1))) {
                to--;
            }
            if (to > from && !is(line, from, to, HttpHeaderNames.KEEP_ALIVE) && !is(line, from, to, HttpHeaderValues.CLOSE)) {
                CharSequence name = line.subSequence(from, to);
                if (!isFraming(name)) {
                    if (named == null) {
                        named = new ArrayList<>(2);
                    }
                    named.add(name);
                }
            }
            start = comma + 1;
        }
        return named;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean is(CharSequence line, int from, int to, AsciiString name) {
        return to - from == name.length() && name.regionMatches(true, 0, line, from, to - from);
    }

    private static boolean isFraming(CharSequence name) {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name);
    }

    private static void removeProxyHeaders(HttpHeaders headers) {
        List<CharSequence> doomed = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            CharSequence name = it.next().getKey();
            if (name.length() > PROXY_PREFIX.length()
                    && PROXY_PREFIX.regionMatches(true, 0, name, 0, PROXY_PREFIX.length())) {
                if (doomed == null) {
                    doomed = new ArrayList<>(2);
                }
                doomed.add(name);
            }
        }
        if (doomed != null) {
            for (CharSequence name : doomed) {
                headers.remove(name);
            }
        }
    }
}
