package io.podrouter.directory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.EventLoop;
import io.podrouter.http.LogText;
import io.podrouter.config.CacheConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory's answers, cached as routes: bounded, with per-entry TTLs, negative entries,
 * refresh-ahead and stale-if-error. Concurrent misses for one key share one lookup.
 *
 * <p>{@link #cached} is the hit path: it answers on the caller's event loop and allocates nothing.
 * {@link #resolve} is the miss path: the answer comes back on the caller's event loop.
 *
 * @param <R> what an answer turns into (the router's route type)
 */
public final class RouteCache<R> {
    private static final Logger log = LoggerFactory.getLogger(RouteCache.class);

    private volatile DirectoryClient directory;
    private volatile CacheConfig config;
    private volatile Function<String, R> routeOfBackend;
    private volatile Outcomes<R> outcomes;
    private final Ticker ticker;
    private final Cache<String, CachedRoute<R>> cache;
    private final ConcurrentHashMap<String, PendingLookup<R>> pending = new ConcurrentHashMap<>();
    /** Counts changes to many answers at once (forget all, forget a pod's): an answer looked up across one is not kept. */
    private final java.util.concurrent.atomic.AtomicLong bulkChanges = new java.util.concurrent.atomic.AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder negativeHits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder staleServed = new LongAdder();
    /** While above 0, no answer stored is fresh for longer than this (the stream of moves is not being read). */
    private volatile long freshnessCapNanos;

    /**
     * @param routeOfBackend the route for a backend name, or null when no such backend is configured
     * @param outcomes the routes that answer a key which is no tenant, an unusable answer, and a failed directory
     */
    public RouteCache(DirectoryClient directory, CacheConfig config, Function<String, R> routeOfBackend,
                      Outcomes<R> outcomes, Ticker ticker) {
        this.directory = directory;
        this.config = config;
        this.routeOfBackend = routeOfBackend;
        this.outcomes = outcomes;
        this.ticker = ticker;
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.maxEntries())
                .executor(Runnable::run)
                .ticker(ticker)
                .expireAfter(new Expiry<String, CachedRoute<R>>() {
                    @Override
                    public long expireAfterCreate(String key, CachedRoute<R> value, long now) {
                        return Math.max(0, value.keepUntil - now);
                    }

                    @Override
                    public long expireAfterUpdate(String key, CachedRoute<R> value, long now, long current) {
                        return Math.max(0, value.keepUntil - now);
                    }

                    @Override
                    public long expireAfterRead(String key, CachedRoute<R> value, long now, long current) {
                        return current;
                    }
                })
                .build();
    }

    /** The routes for answers that name no backend. */
    public record Outcomes<R>(R notTenant, R invalidAnswer, R directoryFailed) {
    }

    /**
     * The cached route for {@code key}, or null when it must be resolved (never cached, or past its
     * TTL). A hit past its refresh point also starts one background refresh on {@code loop}.
     */
    public R cached(String key, EventLoop loop) {
        CachedRoute<R> entry = cache.getIfPresent(key);
        if (entry == null) {
            misses.increment();
            return null;
        }
        long now = ticker.read();
        if (now - entry.freshUntil >= 0) {
            misses.increment();
            return null;
        }
        entry.hits++;
        (entry.kind == CachedRoute.Kind.TENANT ? hits : negativeHits).increment();
        if (now - entry.refreshAt >= 0 && entry.claimRefresh()) {
            resolve(key, loop, route -> { });
        }
        return entry.route;
    }

    /** Resolves {@code key} through the directory, once however many callers ask; {@code then} runs on {@code loop}. */
    public void resolve(String key, EventLoop loop, Consumer<R> then) {
        PendingLookup<R> mine = new PendingLookup<>(bulkChanges.get());
        mine.add(loop, then);
        PendingLookup<R> existing = pending.putIfAbsent(key, mine);
        if (existing != null) {
            if (!existing.add(loop, then)) {
                then.accept(existing.result());
            }
            return;
        }
        // The caller missed, but a lookup for this key may have finished since (stored, then no
        // longer pending): take its answer rather than asking again. A refresh finds the entry past
        // its refresh point and goes on to ask.
        CachedRoute<R> stored = cache.getIfPresent(key);
        if (stored != null && ticker.read() - stored.refreshAt < 0) {
            pending.remove(key, mine);
            mine.complete(stored.route);
            return;
        }
        directory.lookup(key, loop, answer -> {
            R route = correct(key, store(key, answer), mine);
            pending.remove(key, mine);
            mine.complete(route);
        });
    }

    private R store(String key, DirectoryAnswer answer) {
        long now = ticker.read();
        CachedRoute<R> old = cache.getIfPresent(key);
        if (answer instanceof DirectoryAnswer.Failed failed) {
            boolean failingFast = failed == DirectoryClient.CIRCUIT_OPEN || failed == DirectoryClient.OVERLOADED
                    || failed == DirectoryClient.STOPPING;
            if (old != null && old.kind != CachedRoute.Kind.INVALID && now - (old.freshUntil + config.staleIfError().toNanos()) < 0) {
                old.refreshFailed();
                staleServed.increment();
                // While the circuit is open every lookup fails at once (its own log says so), and as the router stops all do: no line per request.
                if (!failingFast) {
                    log.warn("directory lookup for {} failed ({}); serving the answer from {}s ago", key, failed.reason(),
                            Duration.ofNanos(now - old.fetchedAt).toSeconds());
                }
                return old.route;
            }
            if (!failingFast) {
                log.warn("directory lookup for {} failed: {}", key, failed.reason());
            }
            return outcomes.directoryFailed();
        }
        CachedRoute<R> entry;
        if (answer instanceof DirectoryAnswer.Tenant tenant) {
            R route = routeOfBackend.apply(tenant.backend());
            if (route == null) {
                log.error("directory answer for {} names no configured backend: '{}'", key, LogText.clip(tenant.backend()));
                entry = entry(outcomes.invalidAnswer(), CachedRoute.Kind.INVALID, now, config.invalidTtl(), false);
            } else {
                entry = entry(route, CachedRoute.Kind.TENANT, now, clamp(tenant.ttl(), config.ttl()), true);
            }
        } else {
            DirectoryAnswer.NotTenant notTenant = (DirectoryAnswer.NotTenant) answer;
            entry = entry(outcomes.notTenant(), CachedRoute.Kind.NOT_TENANT, now, clamp(notTenant.ttl(), config.negativeTtl()), true);
        }
        cache.put(key, entry);
        return entry.route;
    }

    /**
     * A change from the stream that arrived while this lookup was in flight wins over the answer,
     * which the directory may have given before the change.
     */
    private R correct(String key, R looked, PendingLookup<R> lookup) {
        CachedRoute<R> moved = lookup.movedTo;
        if (moved != null) {
            cache.put(key, moved);
            return moved.route;
        }
        if (lookup.forgotten || lookup.bulkChangesAtStart != bulkChanges.get()) {
            cache.invalidate(key); // used by the requests that waited for it, not kept
        }
        return looked;
    }

    private Duration clamp(Duration fromDirectory, Duration fallback) {
        if (fromDirectory == null) {
            return fallback;
        }
        if (fromDirectory.compareTo(config.minTtl()) < 0) {
            return config.minTtl();
        }
        return fromDirectory.compareTo(config.maxTtl()) > 0 ? config.maxTtl() : fromDirectory;
    }

    private CachedRoute<R> entry(R route, CachedRoute.Kind kind, long now, Duration ttl, boolean mayServeStale) {
        long cap = freshnessCapNanos;
        long ttlNanos = cap > 0 ? Math.min(ttl.toNanos(), cap) : ttl.toNanos();
        long freshUntil = now + ttlNanos;
        long refreshAt = now + ttlNanos / 100 * config.refreshAfterPercent();
        long keepUntil = mayServeStale ? freshUntil + config.staleIfError().toNanos() : freshUntil;
        return new CachedRoute<>(route, kind, now, refreshAt, freshUntil, keepUntil);
    }

    /**
     * Takes a new configuration (a reload) while keeping the cached answers: each is mapped with
     * {@code remap}, and dropped when that gives null (its backend is gone) or when it is a negative
     * or invalid entry (the old configuration's refusals).
     *
     * @return the keys dropped because their backend is gone
     */
    public List<String> reconfigure(DirectoryClient directory, CacheConfig config, Function<String, R> routeOfBackend,
                                    Outcomes<R> outcomes, Function<R, R> remap) {
        this.directory = directory;
        this.config = config;
        this.routeOfBackend = routeOfBackend;
        this.outcomes = outcomes;
        cache.policy().eviction().ifPresent(e -> e.setMaximum(config.maxEntries()));
        List<String> dropped = new ArrayList<>();
        cache.asMap().replaceAll((key, e) -> {
            if (e.kind != CachedRoute.Kind.TENANT) {
                return e; // refusals are short-lived; replaced below
            }
            R route = remap.apply(e.route);
            if (route == null) {
                dropped.add(key);
                return e;
            }
            return e.moved(route, e.refreshAt, e.freshUntil);
        });
        cache.asMap().entrySet().removeIf(en -> en.getValue().kind != CachedRoute.Kind.TENANT);
        dropped.forEach(cache::invalidate);
        return dropped;
    }

    /** Removes the cached answer for {@code key}, so the next request asks the directory again. */
    public void invalidate(String key) {
        cache.invalidate(key);
    }

    /** Removes every cached answer whose route satisfies {@code which}; returns how many went. */
    public int invalidateIf(java.util.function.Predicate<R> which) {
        int[] n = {0};
        cache.asMap().entrySet().removeIf(e -> {
            boolean match = which.test(e.getValue().route);
            if (match) {
                n[0]++;
            }
            return match;
        });
        return n[0];
    }

    /** What a change from the stream of tenant moves did to the cache. */
    public enum Change {
        /** The cache held the key (or answers naming the backend) and now holds the new answer, or forgot them. */
        APPLIED,
        /** The cache held nothing the change is about: nothing was created. */
        NOT_HELD,
        /** The change names a backend this configuration does not have: nothing changed. */
        UNKNOWN_BACKEND
    }

    /**
     * A tenant moved: when the cache holds an answer for {@code key} (of any kind), it is replaced
     * by {@code backend}, fresh for {@code ttl} (the configured TTL when null, clamped like the
     * directory's). A key the cache does not hold stays absent, so the cache stays bounded.
     */
    public Change move(String key, String backend, Duration ttl) {
        R route = routeOfBackend.apply(backend);
        if (route == null) {
            return Change.UNKNOWN_BACKEND;
        }
        java.util.function.BiFunction<String, CachedRoute<R>, CachedRoute<R>> replace = (k, old) -> {
            CachedRoute<R> e = entry(route, CachedRoute.Kind.TENANT, ticker.read(), clamp(ttl, config.ttl()), true);
            e.hits = old.hits;
            return e;
        };
        // A lookup in flight for the key (a miss, or a refresh) may bring an answer given before the move.
        PendingLookup<R> inFlight = pending.get(key);
        if (inFlight != null) {
            inFlight.movedTo = entry(route, CachedRoute.Kind.TENANT, ticker.read(), clamp(ttl, config.ttl()), true);
        }
        return cache.asMap().computeIfPresent(key, replace) != null || inFlight != null ? Change.APPLIED : Change.NOT_HELD;
    }

    /** Forgets the answer held for {@code key}, if any: the next request for it asks the directory. */
    public Change forget(String key) {
        PendingLookup<R> inFlight = pending.get(key);
        if (inFlight != null) {
            inFlight.forgotten = true;
        }
        return cache.asMap().remove(key) != null || inFlight != null ? Change.APPLIED : Change.NOT_HELD;
    }

    /** Forgets every answer naming {@code backend}. */
    public Change forgetBackend(String backend) {
        R route = routeOfBackend.apply(backend);
        if (route == null) {
            return Change.UNKNOWN_BACKEND;
        }
        bulkChanges.incrementAndGet();
        return invalidateIf(route::equals) > 0 ? Change.APPLIED : Change.NOT_HELD;
    }

    /** Forgets every cached answer. */
    public Change forgetAll() {
        boolean held = !cache.asMap().isEmpty();
        bulkChanges.incrementAndGet();
        cache.invalidateAll();
        return held ? Change.APPLIED : Change.NOT_HELD;
    }

    /**
     * Makes every cached answer due for refresh: each is still served, and its next hit starts one
     * background lookup. For when the router cannot know which moves it missed.
     */
    public void refreshAll() {
        long now = ticker.read();
        cache.asMap().replaceAll((key, e) -> e.retimed(Math.min(e.refreshAt, now), e.freshUntil));
    }

    /**
     * Bounds how long answers stay fresh, from now on and for those already held, to {@code max}
     * (past it they are looked up again, and still served if the directory fails); null lifts the
     * bound for answers stored from now on. Used while the stream of moves cannot be read.
     */
    public void limitFreshness(Duration max) {
        if (max == null) {
            freshnessCapNanos = 0;
            return;
        }
        long cap = Math.max(1, max.toNanos());
        freshnessCapNanos = cap;
        long until = ticker.read() + cap;
        cache.asMap().replaceAll((key, e) -> e.freshUntil - until <= 0 ? e
                : e.retimed(Math.min(e.refreshAt, until), until));
    }

    /** A directory answer as saved outside the router (a snapshot file, a peer's admin API). */
    public record Saved(String key, String backend, long freshForMillis) {
    }

    /**
     * The directory's answers naming a backend (not the negative or invalid ones), with how long
     * each stays fresh (negative when it is past its TTL and kept only for stale-if-error).
     */
    public List<Saved> saved(Function<R, String> backendName) {
        long now = ticker.read();
        List<Saved> out = new ArrayList<>();
        cache.asMap().forEach((k, e) -> {
            if (e.kind == CachedRoute.Kind.TENANT) {
                out.add(new Saved(k, backendName.apply(e.route), Duration.ofNanos(e.freshUntil - now).toMillis()));
            }
        });
        return out;
    }

    /**
     * Loads an answer saved earlier, unless the cache already holds one for its key: fresh for
     * what was left of its TTL (at most {@code max-ttl}); an expired one only as a stale-if-error
     * fallback, while that lasts.
     *
     * @return false when it was not loaded: its backend is not configured, or it is too old to keep
     */
    public boolean load(Saved saved) {
        R route = routeOfBackend.apply(saved.backend());
        if (route == null) {
            return false;
        }
        long now = ticker.read();
        long freshFor = Math.min(TimeUnit.MILLISECONDS.toNanos(saved.freshForMillis()), config.maxTtl().toNanos());
        long cap = freshnessCapNanos;
        if (cap > 0) {
            freshFor = Math.min(freshFor, cap);
        }
        long freshUntil = now + freshFor;
        long keepUntil = freshUntil + config.staleIfError().toNanos();
        if (keepUntil - now <= 0) {
            return false;
        }
        long refreshAt = freshFor > 0 ? now + freshFor / 100 * config.refreshAfterPercent() : now;
        cache.asMap().putIfAbsent(saved.key(), new CachedRoute<>(route, CachedRoute.Kind.TENANT, now, refreshAt,
                freshUntil, keepUntil));
        return true;
    }

    /** What the cache holds for one key, for the admin API. */
    public record Entry<R>(String key, R route, String kind, long ageMillis, long expiresInMillis, long hits) {
    }

    /** The cached answer for {@code key}, or null. */
    public Entry<R> entry(String key) {
        CachedRoute<R> e = cache.getIfPresent(key);
        return e == null ? null : describe(key, e, ticker.read());
    }

    /** Every cached answer, in no particular order. */
    public List<Entry<R>> entries() {
        long now = ticker.read();
        List<Entry<R>> out = new ArrayList<>();
        cache.asMap().forEach((k, e) -> out.add(describe(k, e, now)));
        return out;
    }

    private Entry<R> describe(String key, CachedRoute<R> e, long now) {
        String kind = switch (e.kind) {
            case TENANT -> "directory";
            case NOT_TENANT -> "negative";
            case INVALID -> "invalid";
        };
        return new Entry<>(key, e.route, kind, Duration.ofNanos(now - e.fetchedAt).toMillis(),
                Duration.ofNanos(e.freshUntil - now).toMillis(), e.hits);
    }

    /** Cache lookups so far: fresh hits, hits on negative or invalid entries, misses, and stale answers served. */
    public record Counts(long hits, long negative, long misses, long stale) {
    }

    public Counts counts() {
        return new Counts(hits.sum(), negativeHits.sum(), misses.sum(), staleServed.sum());
    }

    /** Cached keys (an estimate while evictions are pending). */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    public DirectoryClient directory() {
        return directory;
    }


    /** Callers waiting for one key's lookup, each to be answered on its own event loop. */
    private static final class PendingLookup<R> {
        final long bulkChangesAtStart;
        /** A move of this key read from the stream while the lookup was in flight: it wins. */
        volatile CachedRoute<R> movedTo;
        /** The key was forgotten while the lookup was in flight: its answer serves its waiters only. */
        volatile boolean forgotten;
        private final List<EventLoop> loops = new ArrayList<>(2);
        private final List<Consumer<R>> callbacks = new ArrayList<>(2);
        private boolean completed;
        private R result;

        PendingLookup(long bulkChangesAtStart) {
            this.bulkChangesAtStart = bulkChangesAtStart;
        }

        synchronized boolean add(EventLoop loop, Consumer<R> then) {
            if (completed) {
                return false;
            }
            loops.add(loop);
            callbacks.add(then);
            return true;
        }

        synchronized R result() {
            return result;
        }

        void complete(R route) {
            synchronized (this) {
                completed = true;
                result = route;
            }
            for (int i = 0; i < callbacks.size(); i++) {
                EventLoop loop = loops.get(i);
                Consumer<R> then = callbacks.get(i);
                if (loop.inEventLoop()) {
                    then.accept(route);
                } else {
                    loop.execute(() -> then.accept(route));
                }
            }
        }
    }
}
