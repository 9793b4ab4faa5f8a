package io.podrouter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a router starts with answers already cached ({@code routing.cache.snapshot},
 * {@code snapshot-interval}, {@code warm-from}, {@code warm-timeout}).
 *
 * @param snapshot the file the cached answers are written to and read back from at start, or null for none
 * @param snapshotInterval how often the snapshot is written while running (and at every stop)
 * @param warmFrom admin API base URLs of running peers to copy cached answers from before listening
 * @param warmTimeout the bound on copying from peers, all of them together
 */
public record WarmStartConfig(Path snapshot, Duration snapshotInterval, List<String> warmFrom, Duration warmTimeout) {
    public static final WarmStartConfig DEFAULTS = new WarmStartConfig(null, Duration.ofSeconds(60), List.of(),
            Duration.ofSeconds(10));

    public WarmStartConfig {
        warmFrom = List.copyOf(warmFrom);
    }

    /** The same, warming from {@code peers} instead (the command line's {@code --warm-from}). */
    public WarmStartConfig withWarmFrom(List<String> peers) {
        return new WarmStartConfig(snapshot, snapshotInterval, peers, warmTimeout);
    }

    /**
     * Checks a peer's admin URL, e.g. {@code http://10.0.0.5:9900}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static String checkedPeer(String text) {
        String t = text.trim();
        java.net.URI uri;
        try {
            uri = new java.net.URI(t);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("expected a peer's admin URL such as http://127.0.0.1:9900, got '" + text + "'");
        }
        return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }
}
