package io.podrouter.routing;

/**
 * The request-target forms of RFC 9112 3.2 that matter to routing: an absolute-form target
 * ({@code http://host:port/path}) carries the authority, which wins over the Host header.
 */
public final class RequestTarget {
    private RequestTarget() {
    }

    public static boolean isAbsoluteForm(String uri) {
        return !uri.isEmpty() && uri.charAt(0) != '/' && uri.indexOf("://") > 0;
    }

    /** The authority of an absolute-form target (may hold userinfo or junk: normalise it before use). */
    public static String authority(String uri) {
        int start = uri.indexOf("://") + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        return uri.substring(start, end);
    }

    /** The origin-form ({@code /path?query}) of an absolute-form target. */
    public static String originForm(String uri) {
        int start = uri.indexOf("://") + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        if (end == uri.length() || uri.charAt(end) == '#') {
            return "/";
        }
        return uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end);
    }
}
