package io.podrouter.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.podrouter.config.AdminConfig;
import io.podrouter.http.SmallHttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: the runtime API as JSON over HTTP/1.1. It runs on its own event loop so a
 * long listing never delays proxied requests. With {@code admin.token} set, every call needs
 * {@code Authorization: Bearer <token>}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Channel channel;

    private AdminServer(Channel channel) {
        this.channel = channel;
    }

    static AdminServer start(AdminConfig config, AdminApi api, EventLoopGroup group,
                             Class<? extends ServerChannel> channelType) throws InterruptedException {
        byte[] expected = config.token() == null ? null
                : ("Bearer " + config.token()).getBytes(StandardCharsets.UTF_8);
        Channel ch = SmallHttpServer.bind(config.bind().host(), config.bind().port(), group, channelType, 64 * 1024,
                () -> new Handler(api, expected));
        log.info("admin API listening on {}{}", ch.localAddress(), expected == null ? "" : " (token required)");
        return new AdminServer(ch);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final AdminApi api;
        private final byte[] expectedAuthorization;

        Handler(AdminApi api, byte[] expectedAuthorization) {
            this.api = api;
            this.expectedAuthorization = expectedAuthorization;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            AdminApi.Answer answer;
            if (!request.decoderResult().isSuccess()) {
                answer = AdminApi.Answer.error(400, "malformed request");
            } else if (!authorized(request)) {
                answer = AdminApi.Answer.error(401, "missing or wrong bearer token");
            } else {
                try {
                    answer = api.handle(request.method(), request.uri(), ByteBufUtil.getBytes(request.content()));
                } catch (RuntimeException e) {
                    log.error("admin: {} {} failed", request.method(), request.uri(), e);
                    answer = AdminApi.Answer.error(500, "internal error: " + e);
                }
            }
            reply(ctx, request, answer);
        }

        /** The bearer token, or (so a browser can open the stats page) Basic auth whose password is the token. */
        private boolean authorized(FullHttpRequest request) {
            if (expectedAuthorization == null) {
                return true;
            }
            String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (given == null) {
                return false;
            }
            if (given.regionMatches(true, 0, "Basic ", 0, 6)) {
                try {
                    String decoded = new String(java.util.Base64.getDecoder().decode(given.substring(6).trim()), StandardCharsets.UTF_8);
                    String password = decoded.substring(decoded.indexOf(':') + 1);
                    given = "Bearer " + password;
                } catch (IllegalArgumentException e) {
                    return false;
                }
            }
            return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
        }

        private static void reply(ChannelHandlerContext ctx, FullHttpRequest request, AdminApi.Answer answer) {
            byte[] body;
            String type;
            if (answer.body() instanceof AdminApi.Raw raw) {
                body = raw.bytes();
                type = raw.contentType();
            } else {
                type = "application/json";
                try {
                    body = JSON.writeValueAsBytes(answer.body());
                } catch (JsonProcessingException e) {
                    body = "{\"error\": \"cannot write the answer\"}".getBytes(StandardCharsets.UTF_8);
                }
                body = java.util.Arrays.copyOf(body, body.length + 1);
                body[body.length - 1] = '\n';
            }
            FullHttpResponse response = SmallHttpServer.response(HttpResponseStatus.valueOf(answer.status()), type, body);
            if (answer.status() == 401) {
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer, Basic realm=\"podrouter\"");
            }
            SmallHttpServer.reply(ctx, request, response);
        }
    }

    /** Starts the admin listener of a running router over its route table and cache (null: no directory). */
    public static AdminServer start(AdminConfig config, RouterView router, EventLoopGroup group,
                                    Class<? extends ServerChannel> channelType) throws InterruptedException {
        StatsHistory history = new StatsHistory(router, group.next());
        AdminServer server = start(config, new AdminApi(router, new Metrics(router), history), group, channelType);
        history.start();
        return server;
    }
}
