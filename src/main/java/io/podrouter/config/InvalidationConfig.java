package io.podrouter.config;

import java.net.URI;
import java.time.Duration;

/**
 * The Redis stream that tells every router of tenant moves ({@code routing.invalidation}).
 *
 * @param redis the Redis URI: {@code redis://[:password@]host[:port][/db]}, or {@code rediss://} for TLS
 * @param stream the stream's key
 * @param ttlWhileDisconnected how long a cached answer stays fresh at most while the router cannot read the stream
 */
public record InvalidationConfig(String redis, String stream, Duration ttlWhileDisconnected) {
    public static final String DEFAULT_STREAM = "podrouter:routes";
    public static final Duration DEFAULT_TTL_WHILE_DISCONNECTED = Duration.ofSeconds(30);

    /** The URI without its password, for logs and the admin API. */
    public String redisForDisplay() {
        URI uri = URI.create(redis);
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getHost() + port + path;
    }

    /**
     * Checks that {@code text} is a Redis URI this router can use.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static String checkedRedisUri(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URI: " + e.getMessage());
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw new IllegalArgumentException("expected redis://host:port/db or rediss://..., got '" + text + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in '" + text + "'");
        }
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,2}")) {
            throw new IllegalArgumentException("the path is the database number (e.g. /0), got '" + path + "'");
        }
        return uri.toString();
    }
}
