package io.podrouter.fleet;

import java.util.List;

/**
 * What {@code XINFO STREAM} says about where the stream stands, enough to tell whether a reader
 * that last applied some entry can still read everything that followed it.
 *
 * @param exists false when there is no such stream (never written, or deleted)
 * @param lastGenerated the ID of the last entry ever added (0-0 for none)
 * @param length entries held now
 * @param entriesAdded entries ever added (Redis 7), or -1 when Redis does not say
 */
record StreamInfo(boolean exists, StreamId lastGenerated, long length, long entriesAdded) {
    static final StreamInfo MISSING = new StreamInfo(false, StreamId.ZERO, 0, 0);

    /** Reads the flat key, value, key, value... list Redis answers. */
    static StreamInfo of(List<Object> fields) {
        StreamId lastGenerated = StreamId.ZERO;
        long length = 0;
        long entriesAdded = -1;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String name = String.valueOf(fields.get(i));
            String value = String.valueOf(fields.get(i + 1));
            switch (name) {
                case "last-generated-id" -> lastGenerated = StreamId.parse(value);
                case "length" -> length = Long.parseLong(value);
                case "entries-added" -> entriesAdded = Long.parseLong(value);
                default -> {
                }
            }
        }
        return new StreamInfo(true, lastGenerated, length, entriesAdded);
    }

    /** True when whether {@code last} is still held decides {@link #lostEntriesAfter}. */
    boolean needsToKnowIfHeld(StreamId last) {
        return exists && last.isAfter(StreamId.ZERO) && lastGenerated.isAfter(last);
    }

    /**
     * True when entries added after {@code last} may be gone, so that reading on after it could
     * miss some. Trimming removes the oldest entries first: while {@code last} itself is held,
     * everything after it is too.
     *
     * @param lastHeld whether the entry {@code last} is still in the stream (asked only when {@link #needsToKnowIfHeld})
     */
    boolean lostEntriesAfter(StreamId last, boolean lastHeld) {
        if (!exists) {
            return last.isAfter(StreamId.ZERO); // deleted since
        }
        if (lastGenerated.compareTo(last) < 0) {
            return true; // recreated: the IDs went back
        }
        if (!last.isAfter(StreamId.ZERO)) {
            return entriesAdded > length; // nothing read yet: was anything trimmed?
        }
        return lastGenerated.isAfter(last) && !lastHeld;
    }
}
