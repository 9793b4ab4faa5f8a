package io.podrouter.directory;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Hands the directory's answer to the lookup waiting for it; an idle connection that speaks, or
 * that has sat unused in its pool for the idle timeout, is closed.
 */
final class DirectoryResponseHandler extends ChannelInboundHandlerAdapter {
    private DirectoryLookup.Attempt lookup;

    void bind(DirectoryLookup.Attempt lookup) {
        this.lookup = lookup;
    }

    void unbind() {
        this.lookup = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DirectoryLookup.Attempt l = lookup;
        try {
            if (l != null && msg instanceof FullHttpResponse response) {
                l.answered(response);
            } else {
                ctx.close();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // A lookup in flight has its own timeout; only a connection nobody uses is closed here.
        if (evt instanceof IdleStateEvent && lookup == null) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        DirectoryLookup.Attempt l = lookup;
        lookup = null;
        if (l != null) {
            l.failed("the directory closed the connection");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        DirectoryLookup.Attempt l = lookup;
        lookup = null;
        ctx.close();
        if (l != null) {
            l.failed(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }
}
