package io.podrouter.fleet;

import io.podrouter.http.LogText;
import io.podrouter.routing.RoutingKey;
import java.time.Duration;
import java.util.Map;

/**
 * One entry of the stream of tenant moves, as the tenant directory writes it:
 * <pre>
 * XADD podrouter:routes MAXLEN ~ 1000000 * key acme.example.com backend pod2 [ttl 300]
 * XADD podrouter:routes * key acme.example.com               (forget the key)
 * XADD podrouter:routes * key * backend pod2                  (forget every answer naming pod2)
 * XADD podrouter:routes * key *                               (forget every answer)
 * </pre>
 */
sealed interface RouteChange {
    /** The longest TTL an entry may give; the cache's own max-ttl clamps it further. */
    long MAX_TTL_SECONDS = 365L * 24 * 3600;

    /** {@code key} now lives on {@code backend}; {@code ttl} is null when the entry gives none. */
    record Move(String key, String backend, Duration ttl) implements RouteChange {
    }

    /** Forget the answer for {@code key}: its next request asks the directory. */
    record Forget(String key) implements RouteChange {
    }

    /** Forget every answer naming {@code backend} (a pod drained or split). */
    record ForgetBackend(String backend) implements RouteChange {
    }

    /** Forget every cached answer. */
    record ForgetAll() implements RouteChange {
    }

    /**
     * Reads an entry's fields.
     *
     * @throws IllegalArgumentException saying why the entry is no change this router can apply
     */
    static RouteChange parse(Map<String, String> fields) {
        for (String name : fields.keySet()) {
            if (!name.equals("key") && !name.equals("backend") && !name.equals("ttl")) {
                throw new IllegalArgumentException("unknown field '" + LogText.clip(name) + "'");
            }
        }
        String key = fields.get("key");
        if (key == null) {
            throw new IllegalArgumentException("no 'key' field");
        }
        String backend = fields.get("backend");
        boolean hasBackend = backend != null && !backend.isEmpty();
        String ttlText = fields.get("ttl");
        if (ttlText != null && !hasBackend) {
            throw new IllegalArgumentException("'ttl' without a 'backend' to give it to");
        }
        if (key.equals("*")) {
            if (ttlText != null) {
                throw new IllegalArgumentException("'ttl' with key '*'");
            }
            return hasBackend ? new ForgetBackend(backend) : new ForgetAll();
        }
        if (!key.equals(RoutingKey.normalize(key))) {
            throw new IllegalArgumentException("key '" + LogText.clip(key)
                    + "' is no canonical routing key (lower-case host name, no port, no trailing dot)");
        }
        if (!hasBackend) {
            return new Forget(key);
        }
        return new Move(key, backend, ttlText == null ? null : ttl(ttlText));
    }

    private static Duration ttl(String text) {
        try {
            long seconds = Long.parseLong(text.trim());
            if (seconds >= 1 && seconds <= MAX_TTL_SECONDS) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'ttl' must be a number of seconds from 1 to " + MAX_TTL_SECONDS
                + ", got '" + LogText.clip(text) + "'");
    }
}
