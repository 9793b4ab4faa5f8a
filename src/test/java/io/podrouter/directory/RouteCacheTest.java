package io.podrouter.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.podrouter.config.CacheConfig;
import io.podrouter.config.DirectoryConfig;
import io.podrouter.config.DirectoryUrl;
import io.podrouter.testing.FakeDirectory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route cache against a real (fake) directory, with a hand-driven clock for TTLs, so the
 * refresh, stale-if-error and clamping rules are checked exactly; plus the single-flight rule.
 */
class RouteCacheTest {
    static EventLoopGroup group;
    static EventLoop loop;
    FakeDirectory directory;
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final Ticker ticker = now::get;
    RouteCache<String> cache;

    @BeforeAll
    static void startLoop() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void start() throws Exception {
        directory = new FakeDirectory();
        cache = cache(new CacheConfig(1000, Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(60),
                Duration.ofSeconds(5), Duration.ofSeconds(3), 50, Duration.ofSeconds(20)));
    }

    @AfterEach
    void stop() {
        directory.close();
    }

    private RouteCache<String> cache(CacheConfig config) {
        DirectoryConfig dc = new DirectoryConfig(List.of(DirectoryUrl.parse(directory.url())), Duration.ofSeconds(5), 100, 4096,
                1000, Duration.ofSeconds(5), 32);
        DirectoryClient client = new DirectoryClient(dc, new Bootstrap().channel(NioSocketChannel.class));
        return new RouteCache<>(client, config, backend -> backend.matches("pod[12]") ? "to " + backend : null,
                new RouteCache.Outcomes<>("not a tenant", "invalid", "failed"), ticker);
    }

    private String cached(String key) throws Exception {
        return loop.submit(() -> cache.cached(key, loop)).get(5, TimeUnit.SECONDS);
    }

    private CompletableFuture<String> resolveAsync(String key) {
        CompletableFuture<String> f = new CompletableFuture<>();
        loop.execute(() -> cache.resolve(key, loop, f::complete));
        return f;
    }

    private String resolve(String key) throws Exception {
        return resolveAsync(key).get(5, TimeUnit.SECONDS);
    }

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Request B misses while A's lookup is in flight (so the router hands B to resolve), but B's
     * resolve runs just after A's answer was stored and its pending lookup removed: B must take
     * the stored answer, not start a second lookup.
     */
    @Test
    void aMissThatResolvesJustAfterTheLookupCompletedUsesTheStoredAnswer() throws Exception {
        directory.put("k.example.com", "pod1").hold();
        assertThat(cached("k.example.com")).isNull();
        CompletableFuture<String> a = resolveAsync("k.example.com");
        await("the lookup reached the directory", () -> directory.lookups() == 1);
        assertThat(cached("k.example.com")).as("B misses too").isNull();
        directory.release();
        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("to pod1");
        assertThat(resolve("k.example.com")).isEqualTo("to pod1");
        assertThat(directory.lookups()).as("directory lookups for one key").isEqualTo(1);
    }

    @Test
    void concurrentResolvesShareOneLookup() throws Exception {
        directory.put("k.example.com", "pod1").hold();
        List<CompletableFuture<String>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(resolveAsync("k.example.com"));
        }
        await("the lookup reached the directory", () -> directory.lookups() == 1);
        directory.release();
        for (CompletableFuture<String> f : all) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("to pod1");
        }
        assertThat(directory.lookups()).isEqualTo(1);
    }

    @Test
    void pastTheRefreshPointAHitServesTheOldRouteAndStartsExactlyOneRefresh() throws Exception {
        directory.put("k.example.com", "pod1");
        assertThat(resolve("k.example.com")).isEqualTo("to pod1");
        directory.put("k.example.com", "pod2").hold();
        advance(4_999); // ttl 10 s, refresh at 50 %
        assertThat(cached("k.example.com")).isEqualTo("to pod1");
        assertThat(directory.lookups()).isEqualTo(1);
        advance(1);
        for (int i = 0; i < 20; i++) {
            assertThat(cached("k.example.com")).as("served while the refresh is in flight").isEqualTo("to pod1");
        }
        await("the refresh reached the directory", () -> directory.lookups() == 2);
        directory.release();
        await("the refreshed answer", () -> {
            try {
                return "to pod2".equals(cached("k.example.com"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(directory.lookups()).as("one refresh").isEqualTo(2);
    }

    @Test
    void aFailingDirectoryGetsTheStaleAnswerUntilStaleIfErrorThenFailure() throws Exception {
        directory.put("k.example.com", "pod1");
        assertThat(resolve("k.example.com")).isEqualTo("to pod1");
        directory.mode(FakeDirectory.Mode.FAIL);
        advance(10_000); // no longer fresh
        assertThat(cached("k.example.com")).isNull();
        assertThat(resolve("k.example.com")).isEqualTo("to pod1");
        advance(19_999);
        assertThat(resolve("k.example.com")).isEqualTo("to pod1");
        advance(1);
        assertThat(resolve("k.example.com")).isEqualTo("failed");
    }

    @Test
    void theDirectorysTtlIsClampedAndA404IsCachedForItsOwnTtl() throws Exception {
        directory.answer("short.example.com", FakeDirectory.Answer.text("pod1").maxAge(1));
        directory.answer("long.example.com", FakeDirectory.Answer.json("{\"backend\":\"pod1\",\"ttl\":3600}"));
        directory.answer("gone.example.com", FakeDirectory.Answer.NOT_A_TENANT.maxAge(30));
        assertThat(resolve("short.example.com")).isEqualTo("to pod1");
        assertThat(resolve("long.example.com")).isEqualTo("to pod1");
        assertThat(resolve("gone.example.com")).isEqualTo("not a tenant");
        advance(1_999);
        assertThat(cached("short.example.com")).as("min-ttl 2 s, not 1 s").isEqualTo("to pod1");
        advance(58_000); // 59.999 s
        // Read without cached(): a hit here is past refresh-after and would start a refresh that races the next check.
        assertThat(cache.entry("long.example.com").expiresInMillis()).as("fresh until 60 s").isBetween(0L, 1L);
        assertThat(cached("gone.example.com")).as("a 404 with max-age=30 is remembered 30 s").isNull();
        advance(1);
        assertThat(cached("long.example.com")).as("max-ttl 60 s, not 3600 s").isNull();
    }

    @Test
    void anAnswerNamingNoBackendIsCachedForInvalidTtlAndNeverServedStale() throws Exception {
        directory.put("k.example.com", "pod9");
        assertThat(resolve("k.example.com")).isEqualTo("invalid");
        assertThat(cached("k.example.com")).isEqualTo("invalid");
        directory.mode(FakeDirectory.Mode.FAIL);
        advance(3_000);
        assertThat(cached("k.example.com")).isNull();
        assertThat(resolve("k.example.com")).isEqualTo("failed");
    }

    // Changes from the stream of tenant moves (io.podrouter.fleet).

    @Test
    void aMoveReplacesAHeldAnswerAndCreatesNothingForAKeyNotHeld() throws Exception {
        directory.put("k.example.com", "pod1");
        assertThat(resolve("k.example.com")).isEqualTo("to pod1");
        assertThat(cache.move("k.example.com", "pod2", null)).isEqualTo(RouteCache.Change.APPLIED);
        assertThat(cached("k.example.com")).isEqualTo("to pod2");
        assertThat(cache.entry("k.example.com").expiresInMillis()).isEqualTo(10_000);
        assertThat(cache.move("k.example.com", "pod2", Duration.ofHours(5))).isEqualTo(RouteCache.Change.APPLIED);
        assertThat(cache.entry("k.example.com").expiresInMillis()).as("clamped to max-ttl").isEqualTo(60_000);

        assertThat(cache.move("new.example.com", "pod2", null)).isEqualTo(RouteCache.Change.NOT_HELD);
        assertThat(cache.entry("new.example.com")).isNull();
        assertThat(cache.move("k.example.com", "pod9", null)).isEqualTo(RouteCache.Change.UNKNOWN_BACKEND);
        assertThat(cached("k.example.com")).isEqualTo("to pod2");
        assertThat(directory.lookups()).isEqualTo(1);
    }

    @Test
    void forgettingByKeyByBackendAndAll() throws Exception {
        directory.put("a.example.com", "pod1").put("b.example.com", "pod1").put("c.example.com", "pod2");
        for (String k : List.of("a.example.com", "b.example.com", "c.example.com")) {
            resolve(k);
        }
        assertThat(cache.forget("a.example.com")).isEqualTo(RouteCache.Change.APPLIED);
        assertThat(cache.forget("a.example.com")).isEqualTo(RouteCache.Change.NOT_HELD);
        assertThat(cache.forgetBackend("pod9")).isEqualTo(RouteCache.Change.UNKNOWN_BACKEND);
        assertThat(cache.forgetBackend("pod1")).isEqualTo(RouteCache.Change.APPLIED);
        assertThat(cache.entry("b.example.com")).isNull();
        assertThat(cache.entry("c.example.com")).isNotNull();
        assertThat(cache.forgetAll()).isEqualTo(RouteCache.Change.APPLIED);
        assertThat(cache.size()).isZero();
        assertThat(cache.forgetAll()).isEqualTo(RouteCache.Change.NOT_HELD);
    }

    @Test
    void refreshAllKeepsServingAndLooksEachKeyUpOnceOnItsNextHit() throws Exception {
        directory.put("k.example.com", "pod1");
        resolve("k.example.com");
        advance(1_000); // well before the refresh point (50% of 10 s)
        directory.put("k.example.com", "pod2");
        cache.refreshAll();
        assertThat(cached("k.example.com")).as("still served").isEqualTo("to pod1");
        await("one background lookup", () -> directory.lookups() == 2);
        await("the refreshed answer", () -> {
            try {
                return "to pod2".equals(cached("k.example.com"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(directory.lookups()).isEqualTo(2);
    }

    @Test
    void limitedFreshnessBoundsHeldAndNewAnswersUntilLifted() throws Exception {
        directory.put("held.example.com", "pod1").put("new.example.com", "pod1").put("later.example.com", "pod1");
        resolve("held.example.com");
        cache.limitFreshness(Duration.ofSeconds(3));
        assertThat(cache.entry("held.example.com").expiresInMillis()).isEqualTo(3_000);
        resolve("new.example.com");
        assertThat(cache.entry("new.example.com").expiresInMillis()).isEqualTo(3_000);
        advance(3_000);
        assertThat(cached("held.example.com")).as("no longer fresh").isNull();

        directory.mode(FakeDirectory.Mode.FAIL);
        assertThat(resolve("held.example.com")).as("still served while the directory fails").isEqualTo("to pod1");
        directory.mode(FakeDirectory.Mode.SERVE);

        cache.limitFreshness(null);
        resolve("later.example.com");
        assertThat(cache.entry("later.example.com").expiresInMillis()).isEqualTo(10_000);
    }

    @Test
    void aMoveOrForgetReadWhileTheKeysLookupIsInFlightWinsOverItsAnswer() throws Exception {
        directory.put("k.example.com", "pod1").hold();
        CompletableFuture<String> looking = resolveAsync("k.example.com");
        await("the lookup reached the directory", () -> directory.lookups() == 1);
        assertThat(cache.move("k.example.com", "pod2", null)).isEqualTo(RouteCache.Change.APPLIED);
        directory.release(); // it answers pod1: given before the move
        assertThat(looking.get(5, TimeUnit.SECONDS)).isEqualTo("to pod2");
        assertThat(cached("k.example.com")).isEqualTo("to pod2");

        directory.put("f.example.com", "pod1").hold();
        CompletableFuture<String> forgotten = resolveAsync("f.example.com");
        await("the second lookup reached the directory", () -> directory.lookups() == 2);
        assertThat(cache.forget("f.example.com")).isEqualTo(RouteCache.Change.APPLIED);
        directory.release();
        assertThat(forgotten.get(5, TimeUnit.SECONDS)).as("its waiters are answered").isEqualTo("to pod1");
        assertThat(cache.entry("f.example.com")).as("but it is not kept").isNull();
    }
}
