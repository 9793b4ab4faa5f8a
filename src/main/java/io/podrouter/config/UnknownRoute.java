package io.podrouter.config;

/** What answers a routing key that no entry knows: a status, or a fallback backend. */
public record UnknownRoute(int status, String backend) {
    public static final UnknownRoute NOT_FOUND = new UnknownRoute(404, null);

    public boolean hasBackend() {
        return backend != null;
    }
}
