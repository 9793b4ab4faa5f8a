package io.podrouter.directory;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;

/** Hands the directory's answer to the lookup waiting for it; an idle connection that speaks is closed. */
final class DirectoryResponseHandler extends ChannelInboundHandlerAdapter {
    private DirectoryLookup lookup;

    void bind(DirectoryLookup lookup) {
        this.lookup = lookup;
    }

    void unbind() {
        this.lookup = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DirectoryLookup l = lookup;
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
    public void channelInactive(ChannelHandlerContext ctx) {
        DirectoryLookup l = lookup;
        lookup = null;
        if (l != null) {
            l.attemptFailed("the directory closed the connection");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        DirectoryLookup l = lookup;
        lookup = null;
        ctx.close();
        if (l != null) {
            l.attemptFailed(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }
}
