package io.podrouter.config;

import java.util.Locale;

/** The I/O transport the configuration asks for ({@code transport}). */
public enum TransportChoice {
    /** io_uring where the kernel allows it, else epoll, else Java NIO. */
    AUTO,
    IO_URING,
    EPOLL,
    NIO;

    /** As written in the configuration: auto, io_uring, epoll or nio. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static TransportChoice parse(String text) {
        for (TransportChoice c : values()) {
            if (c.configName().equals(text.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("expected auto, io_uring, epoll or nio, got '" + text + "'");
    }
}
