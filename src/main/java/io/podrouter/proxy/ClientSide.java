package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * What an {@link Exchange} knows of the client connection it answers: where to write, how to
 * hold back the client's reads, and what to tell the connection when the exchange ends. The
 * exchange calls back exactly one of the four endings, once.
 */
interface ClientSide {
    /** The context the response is written through; its event loop is the exchange's. */
    ChannelHandlerContext context();

    /** The client connection's reads, paused while the server connection cannot take more. */
    ReadGate readGate();

    /** The client's address as the logs and X-Forwarded-For show it. */
    String peerAddress();

    /** The current request's X-Request-Id. */
    String requestId();

    /** The router is stopping: responses from now on close their connection. */
    boolean routerStopping();

    /** The exchange has a server connection to forward to: what the client sent meanwhile may go. */
    void takeWaiting();

    /** The response has been written in full; {@code keepOpen}: the connection may take another request. */
    void finished(boolean keepOpen);

    /**
     * The exchange failed before any of the response was written: the client gets {@code status}.
     *
     * @param requestEndUnread the end of the request is still to come from the client (to be dropped)
     */
    void failed(int status, String reason, boolean keepOpen, boolean requestEndUnread);

    /** The exchange failed after part of the response was written: the connection can only close. */
    void aborted();

    /** The server switched protocols (101): from now on the connection is a byte tunnel to {@code upstream}. */
    void switchedToTunnel(Channel upstream, ReadGate upstreamGate);
}
