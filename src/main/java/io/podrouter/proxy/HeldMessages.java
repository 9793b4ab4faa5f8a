package io.podrouter.proxy;

import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * What a client sent before it could be taken (a pipelined request, body parts while the server
 * connection opens), in order, with the connection's reads paused while anything waits.
 */
final class HeldMessages {
    /** Made when something is first held: most connections (an HTTP/2 stream: every one) never hold anything. */
    private ArrayDeque<Object> messages;
    private final ReadGate gate;

    HeldMessages(ReadGate gate) {
        this.gate = gate;
    }

    void hold(Object msg) {
        if (messages == null) {
            messages = new ArrayDeque<>(4);
        }
        messages.addLast(msg);
        // The empty end of a request without body (it follows the head at once) carries
        // nothing to hold back: reads go on, and what could follow it (a pipelined request)
        // pauses them. Pausing for it would cost two epoll_ctl calls for every request that
        // waits for a server slot or a directory answer.
        if (!isEmptyEnd(msg)) {
            gate.pause(ReadGate.QUEUE);
        }
    }

    boolean isEmpty() {
        return messages == null || messages.isEmpty();
    }

    Object peek() {
        return messages == null ? null : messages.peekFirst();
    }

    Object poll() {
        return messages == null ? null : messages.pollFirst();
    }

    /** Resumes reads once nothing is held (what is held keeps them paused). */
    void resumeIfEmpty() {
        if (isEmpty()) {
            gate.resume(ReadGate.QUEUE);
        }
    }

    void releaseAll() {
        Object msg;
        while ((msg = poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private static boolean isEmptyEnd(Object msg) {
        return msg instanceof LastHttpContent last && !last.content().isReadable()
                && last.trailingHeaders().isEmpty() && last.decoderResult().isSuccess();
    }
}
