package io.podrouter.config;

/**
 * @param maxRequestLine longest request line accepted (longer: 414)
 * @param maxHeaderSize largest request head accepted (larger: 431)
 * @param maxIdlePerServer idle keep-alive connections kept per server on each event loop
 */
public record LimitsConfig(int maxRequestLine, int maxHeaderSize, int maxIdlePerServer) {
    public static final LimitsConfig DEFAULTS = new LimitsConfig(8 * 1024, 32 * 1024, 64);
}
