package io.podrouter.accesslog;

/**
 * What the access log says about one request; times in microseconds, -1 where a step did not
 * happen (no lookup, no queueing...).
 *
 * @param epochMillis when the request arrived
 * @param key the routing key the request was routed by, as it came (the log shows it canonical when valid)
 * @param route how the route was found: static, hit, miss (asked the directory), fallback, or none
 * @param requestId the request's X-Request-Id, as sent to the pod and the client
 */
public record AccessRecord(long epochMillis, String client, String method, String uri, String protocol, String key,
                           String backend, String server, int status, long bytes, String route,
                           long lookupMicros, long queueMicros, long connectMicros, long responseMicros,
                           long totalMicros, String requestId) {
}
