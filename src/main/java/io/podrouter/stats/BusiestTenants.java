package io.podrouter.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The busiest routing keys of the last minute, from the event loops' {@link SpaceSaving}
 * sketches: what arrives within a second is merged into that second's slice, which is cut to
 * its {@code keep} largest counts when the second ends; the top is the sum over the last
 * {@code seconds} slices. Memory is fixed (seconds × keep keys) whatever the number of tenants.
 * Single-threaded: the admin event loop adds, ticks and reads.
 */
public final class BusiestTenants {
    private final int seconds;
    private final int keep;
    private final Slice[] ring;
    private int next;
    private Map<String, Acc> current = new HashMap<>();
    private long currentTotal;
    private List<Tenant> top = List.of();
    private long windowTotal;
    private int windowSeconds;

    public BusiestTenants(int seconds, int keep) {
        this.seconds = seconds;
        this.keep = keep;
        this.ring = new Slice[seconds];
    }

    /**
     * One tenant among the busiest.
     *
     * @param requests requests in the window (an estimate from the sketches; at most the true count plus its error)
     * @param share of all requests routed to a pod in the window
     */
    public record Tenant(String key, String pod, long requests, double share, double perSecond) {
    }

    /** Adds an event loop's sketch to the current second. */
    public void add(SpaceSaving part) {
        currentTotal += part.total();
        for (SpaceSaving.Entry e : part.entries()) {
            Acc a = current.computeIfAbsent(e.key(), k -> new Acc());
            a.count += e.count();
            a.pod = e.label();
        }
    }

    /** Ends the current second and recomputes the top {@code n}. */
    public void tick(int n) {
        List<Map.Entry<String, Acc>> kept = new ArrayList<>(current.entrySet());
        kept.sort(Comparator.comparingLong((Map.Entry<String, Acc> e) -> e.getValue().count).reversed());
        int size = Math.min(keep, kept.size());
        Slice slice = new Slice(new String[size], new String[size], new long[size], currentTotal);
        for (int i = 0; i < size; i++) {
            slice.keys[i] = kept.get(i).getKey();
            slice.pods[i] = kept.get(i).getValue().pod;
            slice.counts[i] = kept.get(i).getValue().count;
        }
        ring[next] = slice;
        next = (next + 1) % seconds;
        current = new HashMap<>();
        currentTotal = 0;
        recompute(n);
    }

    private void recompute(int n) {
        Map<String, Acc> sum = new HashMap<>();
        long total = 0;
        int filled = 0;
        // Oldest first, so that the pod kept for a key is the one it went to last.
        for (int i = 0; i < seconds; i++) {
            Slice s = ring[(next + i) % seconds];
            if (s == null) {
                continue;
            }
            filled++;
            total += s.total;
            for (int j = 0; j < s.keys.length; j++) {
                Acc a = sum.computeIfAbsent(s.keys[j], k -> new Acc());
                a.count += s.counts[j];
                a.pod = s.pods[j];
            }
        }
        List<Map.Entry<String, Acc>> all = new ArrayList<>(sum.entrySet());
        all.sort(Comparator.comparingLong((Map.Entry<String, Acc> e) -> e.getValue().count).reversed()
                .thenComparing(Map.Entry::getKey));
        List<Tenant> out = new ArrayList<>(Math.min(n, all.size()));
        for (int i = 0; i < Math.min(n, all.size()); i++) {
            Acc a = all.get(i).getValue();
            out.add(new Tenant(all.get(i).getKey(), a.pod, a.count, total == 0 ? 0 : (double) a.count / total,
                    filled == 0 ? 0 : (double) a.count / filled));
        }
        top = List.copyOf(out);
        windowTotal = total;
        windowSeconds = filled;
    }

    /** The busiest tenants as of the last tick, busiest first. */
    public List<Tenant> top() {
        return top;
    }

    /** Requests routed to a pod in the window the top covers. */
    public long windowTotal() {
        return windowTotal;
    }

    /** Seconds the window covers (fewer than {@code seconds} just after start). */
    public int windowSeconds() {
        return windowSeconds;
    }

    private static final class Acc {
        long count;
        String pod;
    }

    private record Slice(String[] keys, String[] pods, long[] counts, long total) {
    }
}
