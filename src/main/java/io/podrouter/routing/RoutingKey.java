package io.podrouter.routing;

/**
 * Turns a Host header (or request-target authority) into a routing key: lower-case, without port
 * or trailing dot, and a valid RFC 1123 host name (letters, digits, hyphens and dots; labels of
 * 1-63 characters not starting or ending with a hyphen; at most 253 characters).
 *
 * <p>Anything else is rejected here, so nothing a client invents (slashes, '@', '%', '?') can reach
 * a map lookup or the directory. A key that is already canonical comes back as the same string,
 * without allocating.
 */
public final class RoutingKey {
    public static final int MAX_LENGTH = 253;
    public static final int MAX_LABEL = 63;

    private RoutingKey() {
    }

    /** The canonical key, or null when {@code host} is not a valid host name (with optional port). */
    public static String normalize(CharSequence host) {
        if (host == null) {
            return null;
        }
        int end = host.length();
        int colon = indexOf(host, ':');
        if (colon >= 0) {
            if (!isPort(host, colon + 1, end)) {
                return null;
            }
            end = colon;
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        if (end == 0 || end > MAX_LENGTH) {
            return null;
        }
        boolean upper = false;
        int labelStart = 0;
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            if (c == '.') {
                if (!validLabel(host, labelStart, i)) {
                    return null;
                }
                labelStart = i + 1;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return null;
            }
        }
        if (!validLabel(host, labelStart, end)) {
            return null;
        }
        if (!upper && end == host.length() && host instanceof String s) {
            return s;
        }
        char[] out = new char[end];
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            out[i] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return new String(out);
    }

    private static boolean validLabel(CharSequence s, int start, int end) {
        int length = end - start;
        return length >= 1 && length <= MAX_LABEL && s.charAt(start) != '-' && s.charAt(end - 1) != '-';
    }

    private static boolean isPort(CharSequence s, int start, int end) {
        int length = end - start;
        if (length < 1 || length > 5) {
            return false;
        }
        int port = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    private static int indexOf(CharSequence s, char c) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
