package io.podrouter.config;

/** One {@code <key> <backend>} line of a map file. */
public record MapEntry(String key, String backend, int line) {
}
