package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpMethod;

/**
 * When a request that failed on its server may be sent again. Only when the server cannot have
 * acted on it: the connection was refused, or a reused keep-alive connection closed under a
 * request whose method is safe to repeat (RFC 9110 9.2.2). Never a second time, never once any
 * of the body or the response went through.
 */
final class RetryRule {
    /** What the rule said; each one is counted in {@code podrouter_retries}. */
    enum Verdict {
        RETRY("retried"),
        ALREADY_RETRIED("already_retried"),
        RESPONSE_STARTED("response_started"),
        BODY_SENT("body_sent"),
        NO_OTHER_SERVER("no_other_server"),
        NOT_IDEMPOTENT("not_idempotent");

        final String label;

        Verdict(String label) {
            this.label = label;
        }
    }

    private RetryRule() {
    }

    /** After a failed connect nothing was sent: any request may go to another server, once. */
    static Verdict afterConnectFailure(boolean retried, boolean responseStarted, boolean bodySent, boolean otherServerUp) {
        if (retried) {
            return Verdict.ALREADY_RETRIED;
        }
        if (responseStarted) {
            return Verdict.RESPONSE_STARTED;
        }
        if (bodySent) {
            return Verdict.BODY_SENT;
        }
        return otherServerUp ? Verdict.RETRY : Verdict.NO_OTHER_SERVER;
    }

    /**
     * A reused connection closed before any response (the keep-alive race): the request was
     * sent and may have been seen, so only a method safe to repeat goes again, on a fresh
     * connection (to the same server when it is the pod's only one up, as nginx and HAProxy do).
     */
    static Verdict afterKeepAliveRace(boolean retried, boolean bodySent, HttpMethod method) {
        if (!isIdempotent(method)) {
            return Verdict.NOT_IDEMPOTENT;
        }
        if (retried) {
            return Verdict.ALREADY_RETRIED;
        }
        return bodySent ? Verdict.BODY_SENT : Verdict.RETRY;
    }

    static boolean isIdempotent(HttpMethod m) {
        return HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m) || HttpMethod.PUT.equals(m)
                || HttpMethod.DELETE.equals(m) || HttpMethod.OPTIONS.equals(m) || HttpMethod.TRACE.equals(m);
    }
}
