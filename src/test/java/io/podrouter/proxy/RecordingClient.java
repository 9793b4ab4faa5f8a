package io.podrouter.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ClientSide} for exchange tests: an {@link EmbeddedChannel} the response is written
 * to, and a list of what the exchange told the client connection, in order.
 */
final class RecordingClient extends ChannelInboundHandlerAdapter implements ClientSide {
    final EmbeddedChannel channel;
    final List<String> told = new ArrayList<>();
    /** The exchange this client forwards its writability to, as FrontendHandler does. */
    Exchange exchange;
    boolean stopping;
    int waitingTaken;
    Channel tunnelTo;
    private ChannelHandlerContext ctx;
    private final ReadGate gate;

    RecordingClient() {
        channel = new EmbeddedChannel(this);
        gate = new ReadGate(channel);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public ChannelHandlerContext context() {
        return ctx;
    }

    @Override
    public ReadGate readGate() {
        return gate;
    }

    @Override
    public String peerAddress() {
        return "192.0.2.1";
    }

    @Override
    public String requestId() {
        return "rid";
    }

    @Override
    public boolean routerStopping() {
        return stopping;
    }

    @Override
    public void takeWaiting() {
        waitingTaken++;
    }

    @Override
    public void finished(boolean keepOpen) {
        told.add("finished, keep open: " + keepOpen);
    }

    @Override
    public void failed(int status, String reason, boolean keepOpen, boolean requestEndUnread) {
        told.add("failed " + status + ", keep open: " + keepOpen);
    }

    @Override
    public void aborted() {
        told.add("aborted");
    }

    @Override
    public void switchedToTunnel(Channel upstream, ReadGate upstreamGate) {
        tunnelTo = upstream;
        told.add("tunnel");
    }
}
