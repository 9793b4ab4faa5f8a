package io.podrouter.config;

/**
 * @param maxRequestLine longest request line accepted (longer: 414)
 * @param maxHeaderSize largest request head accepted (larger: 431)
 */
public record LimitsConfig(int maxRequestLine, int maxHeaderSize) {
    public static final LimitsConfig DEFAULTS = new LimitsConfig(8 * 1024, 32 * 1024);
}
