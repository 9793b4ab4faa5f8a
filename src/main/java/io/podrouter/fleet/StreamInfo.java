package io.podrouter.fleet;

import java.util.List;

/**
 * What {@code XINFO STREAM} says about where the stream stands, enough to tell whether a reader
 * that last applied some entry can still read everything that followed it.
 *
 * @param exists false when there is no such stream (never written, or deleted)
 * @param lastGenerated the ID of the last entry ever added (0-0 for none)
 * @param maxDeleted the highest ID ever trimmed or deleted (Redis 7), or null when Redis does not say
 * @param first the first entry still held, or null when the stream is empty
 */
record StreamInfo(boolean exists, StreamId lastGenerated, StreamId maxDeleted, StreamId first) {
    static final StreamInfo MISSING = new StreamInfo(false, StreamId.ZERO, null, null);

    /** Reads the flat key, value, key, value... list Redis answers. */
    static StreamInfo of(List<Object> fields) {
        StreamId lastGenerated = StreamId.ZERO;
        StreamId maxDeleted = null;
        StreamId first = null;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String name = String.valueOf(fields.get(i));
            Object value = fields.get(i + 1);
            switch (name) {
                case "last-generated-id" -> lastGenerated = StreamId.parse(String.valueOf(value));
                case "max-deleted-entry-id" -> maxDeleted = StreamId.parse(String.valueOf(value));
                case "first-entry" -> {
                    if (value instanceof List<?> entry && !entry.isEmpty() && entry.get(0) != null) {
                        first = StreamId.parse(String.valueOf(entry.get(0)));
                    }
                }
                default -> {
                }
            }
        }
        return new StreamInfo(true, lastGenerated, maxDeleted, first);
    }

    /** True when entries added after {@code last} may be gone, so reading on from it could miss some. */
    boolean lostEntriesAfter(StreamId last) {
        if (!exists) {
            return last.isAfter(StreamId.ZERO);
        }
        if (lastGenerated.compareTo(last) < 0) {
            return true; // recreated: the IDs went back
        }
        if (maxDeleted != null) {
            return maxDeleted.isAfter(last);
        }
        return first != null && first.isAfter(last);
    }
}
