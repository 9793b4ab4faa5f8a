package io.podrouter.directory;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A cached directory answer, already turned into the route it means, with the moments (in
 * {@link System#nanoTime()} terms) at which it should be refreshed, stops being fresh, and may
 * no longer be served even while the directory fails.
 */
final class CachedRoute<R> {
    enum Kind { TENANT, NOT_TENANT, INVALID }

    private static final AtomicIntegerFieldUpdater<CachedRoute> REFRESHING =
            AtomicIntegerFieldUpdater.newUpdater(CachedRoute.class, "refreshing");

    final R route;
    final Kind kind;
    final long fetchedAt;
    final long refreshAt;
    final long freshUntil;
    final long keepUntil;
    private volatile int refreshing;
    /** Requests served from this entry; racy increments (a statistic, not an invariant). */
    long hits;

    CachedRoute(R route, Kind kind, long fetchedAt, long refreshAt, long freshUntil, long keepUntil) {
        this.route = route;
        this.kind = kind;
        this.fetchedAt = fetchedAt;
        this.refreshAt = refreshAt;
        this.freshUntil = freshUntil;
        this.keepUntil = keepUntil;
    }

    /** This answer with other moments (and the hits counted so far); a new object, so a refresh may be claimed again. */
    CachedRoute<R> retimed(long refreshAt, long freshUntil) {
        return moved(route, refreshAt, freshUntil);
    }

    /** This answer pointing at another route, at the same moments, with the hits counted so far. */
    CachedRoute<R> moved(R to, long refreshAt, long freshUntil) {
        CachedRoute<R> copy = new CachedRoute<>(to, kind, fetchedAt, refreshAt, freshUntil, keepUntil);
        copy.hits = hits;
        return copy;
    }

    /** True for the one caller that gets to start the background refresh. */
    boolean claimRefresh() {
        return REFRESHING.compareAndSet(this, 0, 1);
    }

    void refreshFailed() {
        refreshing = 0;
    }
}
