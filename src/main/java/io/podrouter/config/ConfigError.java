package io.podrouter.config;

/** One problem found in a configuration or map file, located precisely enough to fix it. */
public record ConfigError(String file, int line, String key, String message) {
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(file);
        if (line > 0) {
            s.append(':').append(line);
        }
        s.append(": ");
        if (key != null && !key.isEmpty()) {
            s.append(key).append(": ");
        }
        return s.append(message).toString();
    }
}
