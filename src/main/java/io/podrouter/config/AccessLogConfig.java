package io.podrouter.config;

/**
 * The access log: one line per request.
 *
 * @param enabled on by default
 * @param json JSON lines instead of text in the style of the combined log format
 * @param path a file to append to, or null for stdout
 * @param bufferedLines lines that may wait to be written; past it lines are dropped (and counted), never blocking
 * @param flushInterval how long a line may wait for its chunk to fill before it is written anyway
 */
public record AccessLogConfig(boolean enabled, boolean json, java.nio.file.Path path, int bufferedLines,
                              java.time.Duration flushInterval) {
    public static final AccessLogConfig DEFAULTS = new AccessLogConfig(true, false, null, 65536, java.time.Duration.ofSeconds(1));
}
