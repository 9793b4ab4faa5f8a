package io.podrouter.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.podrouter.proxy.FrontendHandler;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line, and a closed connection, for a TLS handshake that fails: plain HTTP on the TLS
 * port, a truncated handshake, with {@code strict-sni} a server name no certificate covers (or
 * none). Removes itself once the handshake succeeds. It also notes the server name the client
 * sent, for routing by SNI.
 */
final class TlsHandshakeLogger extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeLogger.class);
    private boolean reported;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SniCompletionEvent sni && sni.isSuccess() && sni.hostname() != null) {
            ctx.channel().attr(FrontendHandler.SERVER_NAME).set(sni.hostname());
        }
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                report(ctx.channel().remoteAddress(), done.cause());
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        report(ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private void report(SocketAddress peer, Throwable cause) {
        if (reported) {
            return;
        }
        reported = true;
        Throwable root = cause;
        while (root instanceof DecoderException && root.getCause() != null) {
            root = root.getCause();
        }
        String why = root instanceof NotSslRecordException ? "not TLS (plain HTTP on the TLS port?)"
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        log.info("TLS handshake with {} failed: {}", peer, why);
    }
}
