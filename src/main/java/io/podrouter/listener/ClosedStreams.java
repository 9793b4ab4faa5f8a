package io.podrouter.listener;

import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * What became of the client's lower stream ids, so that a HEADERS or DATA frame on one of them
 * gets the error RFC 9113 asks for. Netty cannot tell these apart once a stream is gone and
 * answers each with a stream error (RST_STREAM STREAM_CLOSED), "the lesser of the two":
 * <ul>
 *   <li>an id the client skipped (it opened a higher one first) was never a stream: reusing it
 *       is a connection error PROTOCOL_ERROR (§5.1.1);</li>
 *   <li>a stream the client ended (END_STREAM) is closed for it: a frame on it after that is a
 *       connection error STREAM_CLOSED (§5.1), whatever else became of the stream;</li>
 *   <li>a stream reset before the client ended it keeps Netty's stream error, since frames the
 *       client sent before it saw the reset may still be on their way (§5.4.2).</li>
 * </ul>
 * Memory is bounded: the last {@value #REMEMBERED} streams the client ended and {@value #REMEMBERED}
 * skipped ranges. Past them an id is not known, and gets Netty's stream error.
 */
final class ClosedStreams extends Http2ConnectionAdapter {
    static final int REMEMBERED = 32;

    private final int[] endedByClient = new int[REMEMBERED];
    private int endedCount;
    /** Skipped ids as [first, last] pairs, oldest first, wrapping. */
    private final int[] skipped = new int[2 * REMEMBERED];
    private int skippedCount;
    private int lastOpened;

    @Override
    public void onStreamAdded(Http2Stream stream) {
        int id = stream.id();
        if ((id & 1) == 0) {
            return; // the router opens no streams (no push); only the client's odd ids count
        }
        int expected = lastOpened == 0 ? 1 : lastOpened + 2;
        if (id > expected) {
            int slot = 2 * (skippedCount++ % REMEMBERED);
            skipped[slot] = expected;
            skipped[slot + 1] = id - 2;
        }
        lastOpened = Math.max(lastOpened, id);
    }

    /** The client ended this stream: END_STREAM on a frame the connection accepted. */
    void ended(int streamId) {
        endedByClient[endedCount++ % REMEMBERED] = streamId;
    }

    /** Whether the client ended this stream (END_STREAM in a frame the connection accepted), as far as remembered. */
    boolean endedByClient(int id) {
        for (int i = 0, n = Math.min(endedCount, REMEMBERED); i < n; i++) {
            if (endedByClient[i] == id) {
                return true;
            }
        }
        return false;
    }

    /** The connection error for a frame on this stream id, which the connection no longer has; null: keep the stream error. */
    Http2Error connectionErrorFor(int id) {
        if ((id & 1) == 0 || id > lastOpened) {
            return null;
        }
        for (int i = 0, n = Math.min(skippedCount, REMEMBERED); i < n; i++) {
            if (id >= skipped[2 * i] && id <= skipped[2 * i + 1]) {
                return Http2Error.PROTOCOL_ERROR;
            }
        }
        return endedByClient(id) ? Http2Error.STREAM_CLOSED : null;
    }
}
