package io.podrouter.config;

/**
 * podrouter's own log lines (not the access log, which has its own format).
 *
 * @param json one JSON object per line (for log shippers) instead of text
 */
public record LoggingConfig(boolean json) {
    public static final LoggingConfig DEFAULTS = new LoggingConfig(false);
}
