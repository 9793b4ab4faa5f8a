package io.podrouter.directory;

import java.time.Duration;

/** What the tenant directory said about one key. */
public sealed interface DirectoryAnswer {

    /** The key is a tenant on {@code backend}; {@code ttl} is the directory's own TTL, or null. */
    record Tenant(String backend, Duration ttl) implements DirectoryAnswer {
    }

    /** The key belongs to no tenant (404); {@code ttl} is the directory's own TTL, or null. */
    record NotTenant(Duration ttl) implements DirectoryAnswer {
    }

    /** No usable answer: a timeout, a refused or reset connection, a bad status or body, or fail-fast. */
    record Failed(String reason) implements DirectoryAnswer {
    }
}
