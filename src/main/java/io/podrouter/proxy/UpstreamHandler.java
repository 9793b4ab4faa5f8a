package io.podrouter.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a server connection. While the connection serves an exchange it passes
 * everything to it; while the connection is idle in its pool, anything the server sends is a
 * protocol error and closes the connection.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);

    private final long poolIdleMillis;
    private final long silenceMillis;
    private Exchange exchange;
    /** Closes the connection after the pool's idle-timeout unused, and tells the exchange when the server is silent. */
    private ConnectionTimer timer;
    private ResponseDeadline responseDeadline;
    private ReadGate gate;

    /**
     * @param poolIdleMillis how long the connection may sit unused in its pool before it is closed
     * @param silenceMillis how long the server may send nothing while a response streams (timeouts.idle); 0: for ever
     */
    UpstreamHandler(long poolIdleMillis, long silenceMillis) {
        this.poolIdleMillis = poolIdleMillis;
        this.silenceMillis = silenceMillis;
    }

    void bind(Exchange exchange) {
        this.exchange = exchange;
    }

    /** The connection's reads, paused while the client cannot take more of the response. */
    ReadGate readGate() {
        return gate;
    }

    /** When the response of the exchange using the connection is due. */
    ResponseDeadline responseDeadline() {
        return responseDeadline;
    }

    void unbind() {
        this.exchange = null;
        responseDeadline.clear();
        timer.wentIdle();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        gate = new ReadGate(ctx.channel());
        // Closed before the server would close it, so a request never meets a connection the server is closing.
        timer = new ConnectionTimer(ctx, poolIdleMillis, silenceMillis) {
            @Override
            boolean idle() {
                return exchange == null;
            }

            @Override
            void expired() {
                ctx.close();
            }

            @Override
            void silent() {
                Exchange e = exchange;
                if (e != null) {
                    e.serverSilent();
                }
            }
        };
        responseDeadline = new ResponseDeadline(ctx, () -> {
            Exchange e = exchange;
            if (e != null) {
                e.serverTimedOut();
            }
        });
        if (ctx.channel().isActive()) {
            timer.start();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.stop();
        responseDeadline.stop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer.start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange e = exchange;
        if (e != null) {
            e.onResponse((HttpObject) msg);
        } else {
            ReferenceCountUtil.release(msg);
            log.debug("{} sent data on an idle connection; closing it", ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        timer.readEnded();
        Exchange e = exchange;
        if (e != null) {
            e.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.upstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.stop();
        responseDeadline.stop();
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.upstreamFailed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause;
        while (root instanceof DecoderException && root.getCause() != null) {
            root = root.getCause();
        }
        String why = root instanceof SSLException ? "TLS: " + deepest(root).getMessage() : root.toString();
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.upstreamFailed(why);
        } else if (root instanceof IOException) {
            log.debug("server connection {} failed: {}", ctx.channel().remoteAddress(), why);
        } else {
            log.warn("server connection {} failed: {}", ctx.channel().remoteAddress(), why);
        }
        ctx.close();
    }

    private static Throwable deepest(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
