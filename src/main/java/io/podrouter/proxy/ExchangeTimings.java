package io.podrouter.proxy;

import io.podrouter.accesslog.AccessRecord;
import io.podrouter.routing.Route;

/**
 * When each step of a request happened, on the nanosecond clock, and the one place that turns
 * them into an access-log record. A connection keeps one and resets it as each request starts
 * (it serves one request at a time), so timing a request allocates nothing. Without an access
 * log only the start is read from the clock (the request-duration metric needs no more): each
 * reading costs some 25-30 ns, and a request has five steps.
 */
final class ExchangeTimings {
    private boolean stepsTimed = true;
    private long headAt;
    private long lookupNanos;
    private long grantedAt;
    private long attachedAt;
    private long requestSentAt;
    private long responseAt;
    private String routeLabel;

    /**
     * A request's head arrived: every step after it is timed from now.
     *
     * @param timeSteps whether the steps after the head are read from the clock (for an access log)
     */
    void headArrived(boolean timeSteps) {
        stepsTimed = timeSteps;
        headAt = System.nanoTime();
        lookupNanos = -1;
        grantedAt = 0;
        attachedAt = 0;
        requestSentAt = 0;
        responseAt = 0;
        routeLabel = "none";
    }

    /** The directory answered for the request. */
    void lookedUp() {
        lookupNanos = stepsTimed ? System.nanoTime() - headAt : 0;
    }

    /** How the request's route was found: static, hit, miss (asked the directory), fallback, or none. */
    void routed(Route route) {
        if (lookupNanos >= 0) {
            routeLabel = "miss";
        } else if (route instanceof Route.To to) {
            routeLabel = switch (to.source()) {
                case STATIC -> "static";
                case DIRECTORY -> "hit";
                case FALLBACK -> "fallback";
            };
        } else {
            routeLabel = "none";
        }
    }

    void serverGranted() {
        grantedAt = stepsTimed ? System.nanoTime() : headAt;
    }

    void connectionAttached() {
        attachedAt = stepsTimed ? System.nanoTime() : headAt;
    }

    void requestSent() {
        requestSentAt = stepsTimed ? System.nanoTime() : headAt;
    }

    void responseArrived() {
        responseAt = stepsTimed ? System.nanoTime() : headAt;
    }

    long headAt() {
        return headAt;
    }

    /**
     * The access-log record of the request, ending now. Its time is when the head arrived, on the
     * wall clock, for every request however it ended.
     */
    AccessRecord record(String client, String method, String uri, String protocol, String key, String backend,
                        String server, int status, long bytes, String requestId) {
        long now = System.nanoTime();
        return new AccessRecord(System.currentTimeMillis() - (now - headAt) / 1_000_000, client, method, uri, protocol,
                key, backend, server, status, bytes, routeLabel, micros(lookupNanos),
                grantedAt == 0 ? -1 : micros(grantedAt - headAt - Math.max(lookupNanos, 0)),
                attachedAt == 0 ? -1 : micros(attachedAt - grantedAt),
                responseAt == 0 || requestSentAt == 0 ? -1 : micros(responseAt - requestSentAt),
                micros(now - headAt), requestId);
    }

    private static long micros(long nanos) {
        return nanos < 0 ? -1 : nanos / 1000;
    }
}
