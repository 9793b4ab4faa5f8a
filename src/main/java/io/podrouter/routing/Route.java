package io.podrouter.routing;

import io.podrouter.backend.Pod;

/** Where a request goes: to a pod, or nowhere, with the status and reason to answer. */
public sealed interface Route {

    /**
     * Send the request to {@code pod}; {@code source} says which table decided. One instance per
     * pod and source is shared, so a hit allocates nothing.
     */
    record To(Pod pod, Source source) implements Route {
    }

    /** Where a route came from. */
    enum Source { STATIC, DIRECTORY, FALLBACK }

    /**
     * Answer the client with {@code status}; {@code reason} goes into the body and the log;
     * {@code retryAfterSeconds} above 0 becomes a Retry-After header.
     */
    record Refused(int status, String reason, int retryAfterSeconds) implements Route {
        public Refused(int status, String reason) {
            this(status, reason, 0);
        }
    }

    /** The key is in no static entry and no fresh cached answer: ask the directory. */
    record Lookup(String key) implements Route {
    }
}
