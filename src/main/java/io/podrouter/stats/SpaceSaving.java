package io.podrouter.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The heaviest hitters of a stream in fixed memory: Metwally, Agrawal and El Abbadi's
 * space-saving algorithm. At most {@code capacity} keys are counted; a key not among them takes
 * the place of the least counted one and inherits its count (plus one), so a count may overstate
 * a key by at most its {@link Entry#error()}, and any key seen more than total/capacity times is
 * sure to be counted. Counters sit in a min-heap by count and in an open-addressing table by key
 * (linear probing, deletion by backward shift): a counted key costs a probe and a short sift, a
 * new key a probe, a removal, an insertion and a sift, and nothing is allocated once the sketch
 * is full (a HashMap would allocate a node for every newcomer, which is most requests when there
 * are more tenants than counters).
 *
 * <p>Not thread-safe: one writer (an event loop) at a time, handed to a reader afterwards.
 */
public final class SpaceSaving {
    private final int capacity;
    private final Counter[] table;
    private final int mask;
    private final Counter[] heap;
    private int size;
    private long total;

    public SpaceSaving(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        // At most half full, so probe sequences stay short.
        this.table = new Counter[Integer.highestOneBit(capacity) * 4];
        this.mask = table.length - 1;
        this.heap = new Counter[capacity];
    }

    /** One occurrence of {@code key}; {@code label} is kept with it (the last one given wins). */
    public void offer(String key, String label) {
        total++;
        int hash = spread(key.hashCode());
        Counter c = find(key, hash);
        if (c != null) {
            c.count++;
            c.label = label;
            siftDown(c.index);
            return;
        }
        if (size < capacity) {
            c = new Counter(key, hash, label);
            c.index = size;
            heap[size++] = c;
            insert(c);
            siftUp(c.index);
            return;
        }
        // The least counted key gives its place (and its count, as the newcomer's possible error).
        Counter min = heap[0];
        delete(min);
        min.key = key;
        min.hash = hash;
        min.label = label;
        min.error = min.count;
        min.count++;
        insert(min);
        siftDown(0);
    }

    /** Occurrences offered, counted or not. */
    public long total() {
        return total;
    }

    public int capacity() {
        return capacity;
    }

    /** The counted keys, most counted first. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Counter c = heap[i];
            out.add(new Entry(c.key, c.label, c.count, c.error));
        }
        out.sort(Comparator.comparingLong(Entry::count).reversed().thenComparing(Entry::key));
        return out;
    }

    /**
     * A counted key.
     *
     * @param count occurrences, possibly overstated by up to {@code error}
     * @param error how much of {@code count} may belong to keys it replaced
     */
    public record Entry(String key, String label, long count, long error) {
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    private Counter find(String key, int hash) {
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Counter c = table[i];
            if (c == null) {
                return null;
            }
            if (c.hash == hash && c.key.equals(key)) {
                return c;
            }
        }
    }

    private void insert(Counter c) {
        int i = c.hash & mask;
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = c;
    }

    /** Removes {@code c} and shifts back what follows it, so that no probe sequence is broken (Knuth's Algorithm R). */
    private void delete(Counter c) {
        int i = c.hash & mask;
        while (table[i] != c) {
            i = (i + 1) & mask;
        }
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int home = table[j].hash & mask;
            // table[j] may fill the hole at i unless its home slot lies cyclically in (i, j].
            boolean stays = i < j ? home > i && home <= j : home > i || home <= j;
            if (!stays) {
                table[i] = table[j];
                i = j;
            }
        }
        table[i] = null;
    }

    private void siftUp(int i) {
        Counter c = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Counter p = heap[parent];
            if (p.count <= c.count) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = c;
        c.index = i;
    }

    private void siftDown(int i) {
        Counter c = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Counter smaller = heap[child];
            int right = child + 1;
            if (right < size && heap[right].count < smaller.count) {
                child = right;
                smaller = heap[right];
            }
            if (c.count <= smaller.count) {
                break;
            }
            heap[i] = smaller;
            smaller.index = i;
            i = child;
        }
        heap[i] = c;
        c.index = i;
    }

    private static final class Counter {
        String key;
        int hash;
        String label;
        long count = 1;
        long error;
        int index;

        Counter(String key, int hash, String label) {
            this.key = key;
            this.hash = hash;
            this.label = label;
        }
    }
}
