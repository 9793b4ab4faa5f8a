package io.podrouter.config;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A directory URL template such as {@code http://127.0.0.1:6280/rest/private/gds/backend/{key}},
 * split once at start around {@code {key}} so each lookup only percent-encodes the key into place.
 */
public record DirectoryUrl(String template, HostAndPort address, String before, String after) {
    private static final String KEY = "{key}";

    public static DirectoryUrl parse(String template) {
        int at = template.indexOf(KEY);
        if (at < 0 || template.indexOf(KEY, at + 1) >= 0) {
            throw new IllegalArgumentException("the URL must contain {key} exactly once: '" + template + "'");
        }
        URI uri;
        try {
            uri = URI.create(template.replace(KEY, "key"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid URL: '" + template + "'");
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("expected an http://host:port/... URL, got '" + template + "'");
        }
        if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("the URL may not hold user info or a fragment: '" + template + "'");
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        // The template starts "http://" and its authority, measured where {key} was replaced.
        int pathStart = "http://".length() + uri.getRawAuthority().length();
        if (at < pathStart) {
            throw new IllegalArgumentException("{key} must be in the path or query: '" + template + "'");
        }
        String before = template.substring(pathStart, at);
        if (!before.startsWith("/")) {
            before = "/" + before;
        }
        return new DirectoryUrl(template, new HostAndPort(uri.getHost(), port), before, template.substring(at + KEY.length()));
    }

    /** The request target for {@code key}: the key is percent-encoded, never pasted in raw. */
    public String target(String key) {
        return before + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20") + after;
    }

    /** The Host header to send. */
    public String hostHeader() {
        return address.port() == 80 ? address.host() : address.toString();
    }

    @Override
    public String toString() {
        return template;
    }
}
