package io.podrouter.fleet;

/**
 * A Redis stream entry ID, {@code <milliseconds>-<sequence>}: the writer's clock when the entry
 * was added, and a counter within that millisecond. IDs only grow within one stream.
 */
record StreamId(long millis, long sequence) implements Comparable<StreamId> {
    /** Before every entry: reading after it reads the whole stream. */
    static final StreamId ZERO = new StreamId(0, 0);

    /**
     * @throws IllegalArgumentException when {@code text} is no stream ID
     */
    static StreamId parse(String text) {
        int dash = text.indexOf('-');
        try {
            if (dash < 0) {
                return new StreamId(Long.parseUnsignedLong(text), 0);
            }
            return new StreamId(Long.parseUnsignedLong(text.substring(0, dash)),
                    Long.parseUnsignedLong(text.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a stream ID: '" + text + "'");
        }
    }

    @Override
    public int compareTo(StreamId other) {
        int c = Long.compareUnsigned(millis, other.millis);
        return c != 0 ? c : Long.compareUnsigned(sequence, other.sequence);
    }

    boolean isAfter(StreamId other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
    }
}
