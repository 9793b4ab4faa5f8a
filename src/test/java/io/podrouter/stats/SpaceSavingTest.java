package io.podrouter.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpaceSavingTest {
    @Test
    void whileTheKeysFitEveryCountIsExact() {
        SpaceSaving s = new SpaceSaving(8);
        for (int i = 0; i < 5; i++) {
            s.offer("a", "pod0");
        }
        s.offer("b", "pod1");
        s.offer("b", "pod2");
        s.offer("c", "pod0");
        List<SpaceSaving.Entry> e = s.entries();
        assertThat(e).containsExactly(new SpaceSaving.Entry("a", "pod0", 5, 0), new SpaceSaving.Entry("b", "pod2", 2, 0),
                new SpaceSaving.Entry("c", "pod0", 1, 0));
        assertThat(s.total()).isEqualTo(8);
    }

    @Test
    void heavyHittersAreFoundAmongManyRareKeysInFixedSpace() {
        int capacity = 64;
        SpaceSaving s = new SpaceSaving(capacity);
        Map<String, Long> truth = new HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            // Five noisy tenants take 40% of the requests; the rest is spread over 100 000 others.
            String key = random.nextInt(10) < 4 ? "heavy" + random.nextInt(5) + ".example.com"
                    : "t" + random.nextInt(100_000) + ".example.com";
            s.offer(key, "pod0");
            truth.merge(key, 1L, Long::sum);
        }
        List<SpaceSaving.Entry> entries = s.entries();
        assertThat(entries).hasSize(capacity);
        assertThat(s.total()).isEqualTo(n);
        assertThat(entries.subList(0, 5)).extracting(SpaceSaving.Entry::key)
                .containsExactlyInAnyOrder("heavy0.example.com", "heavy1.example.com", "heavy2.example.com",
                        "heavy3.example.com", "heavy4.example.com");
        for (SpaceSaving.Entry e : entries) {
            long real = truth.get(e.key());
            // The guarantees: never an undercount, and the overcount is bounded by the error.
            assertThat(e.count()).isGreaterThanOrEqualTo(real);
            assertThat(e.count() - e.error()).isLessThanOrEqualTo(real);
            assertThat(e.error()).isLessThanOrEqualTo(n / capacity);
        }
        // Every key seen more than n/capacity times is counted.
        truth.forEach((key, count) -> {
            if (count > n / capacity) {
                assertThat(entries).extracting(SpaceSaving.Entry::key).contains(key);
            }
        });
    }

    @Test
    void keysThatCollideInTheTableAreCountedApartThroughManyReplacements() {
        // "Aa" and "BB" have the same hashCode, as do all their concatenations: one long probe chain.
        List<String> colliding = List.of("AaAa", "AaBB", "BBAa", "BBBB");
        SpaceSaving s = new SpaceSaving(4);
        Map<String, Long> truth = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 50_000; i++) {
            String key = random.nextInt(2) == 0 ? colliding.get(random.nextInt(4)) : "k" + random.nextInt(50);
            s.offer(key, "pod0");
            truth.merge(key, 1L, Long::sum);
        }
        List<SpaceSaving.Entry> entries = s.entries();
        assertThat(entries).hasSize(4).extracting(SpaceSaving.Entry::key).doesNotHaveDuplicates();
        for (SpaceSaving.Entry e : entries) {
            assertThat(e.count()).isGreaterThanOrEqualTo(truth.get(e.key()));
            assertThat(e.count() - e.error()).isLessThanOrEqualTo(truth.get(e.key()));
        }
        assertThat(entries.stream().mapToLong(SpaceSaving.Entry::count).sum()).isEqualTo(s.total());
    }

    @Test
    void busiestTenantsSumsTheLoopsAndForgetsWhatIsOlderThanTheWindow() {
        BusiestTenants top = new BusiestTenants(3, 100);
        SpaceSaving loop1 = new SpaceSaving(16);
        SpaceSaving loop2 = new SpaceSaving(16);
        for (int i = 0; i < 30; i++) {
            loop1.offer("noisy.example.com", "pod1");
        }
        for (int i = 0; i < 10; i++) {
            loop2.offer("noisy.example.com", "pod1");
            loop2.offer("quiet.example.com", "pod0");
        }
        top.add(loop1);
        top.add(loop2);
        top.tick(20);
        assertThat(top.top()).extracting(BusiestTenants.Tenant::key, BusiestTenants.Tenant::pod, BusiestTenants.Tenant::requests)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("noisy.example.com", "pod1", 40L),
                        org.assertj.core.groups.Tuple.tuple("quiet.example.com", "pod0", 10L));
        assertThat(top.top().get(0).share()).isEqualTo(0.8);
        assertThat(top.windowTotal()).isEqualTo(50);
        SpaceSaving moved = new SpaceSaving(16);
        moved.offer("quiet.example.com", "pod2");
        top.add(moved);
        top.tick(1);
        assertThat(top.top()).extracting(BusiestTenants.Tenant::key).containsExactly("noisy.example.com");
        top.tick(20);
        assertThat(top.top()).hasSize(2);
        assertThat(top.top().get(1).pod()).isEqualTo("pod2");
        // Three seconds later the first second has left the window.
        top.tick(20);
        assertThat(top.top()).extracting(BusiestTenants.Tenant::key, BusiestTenants.Tenant::requests)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("quiet.example.com", 1L));
        assertThat(top.windowSeconds()).isEqualTo(3);
    }
}
