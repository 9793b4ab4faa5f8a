package io.podrouter.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.podrouter.config.HealthCheckConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Active health checks of one pod: every {@code interval} each server gets {@code GET path} on a
 * new connection; {@code fall} failures in a row take it out, {@code rise} successes bring it back.
 * Runs on one event loop, so its counters need no locks.
 */
public final class HealthChecker implements AutoCloseable {
    private final Pod pod;
    private final HealthCheckConfig config;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();

    public HealthChecker(Pod pod, HealthCheckConfig config, EventLoop loop, Bootstrap connections) {
        this.pod = pod;
        this.config = config;
        this.loop = loop;
        this.bootstrap = connections.clone(loop);
    }

    public void start() {
        long interval = config.interval().toNanos();
        for (Server server : pod.servers()) {
            State state = new State(server);
            schedules.add(loop.scheduleWithFixedDelay(() -> check(state), 0, interval, TimeUnit.NANOSECONDS));
        }
    }

    private void check(State state) {
        if (state.checking) {
            return;
        }
        state.checking = true;
        Server server = state.server;
        InetSocketAddress to = server.pool().target().current();
        if (to == null) {
            state.result(false, server.pool().target().whyNoAddress());
            return;
        }
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                        new ResponseHandler((ok, why) -> state.result(ok, why)));
            }
        });
        ChannelFuture connecting = b.connect(to);
        Channel ch = connecting.channel();
        ScheduledFuture<?> timeout = loop.schedule(() -> {
            ch.close();
            state.result(false, "no answer to GET " + config.path() + " within " + config.timeout().toMillis() + "ms");
        }, config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        ch.closeFuture().addListener(f -> timeout.cancel(false));
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                state.result(false, "cannot connect: " + f.cause().getMessage());
                return;
            }
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, config.path());
            request.headers()
                    .set(HttpHeaderNames.HOST, server.address().toString())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, "podrouter-health-check");
            f.channel().writeAndFlush(request);
        });
    }

    @Override
    public void close() {
        schedules.forEach(s -> s.cancel(false));
    }

    /** One server's run of results. Touched only on the checker's loop. */
    private final class State {
        final Server server;
        boolean checking;
        int goodInARow;
        int badInARow;

        State(Server server) {
            this.server = server;
        }

        void result(boolean ok, String why) {
            if (!checking) {
                return; // a second verdict for the same check (timeout and close racing)
            }
            checking = false;
            if (ok) {
                badInARow = 0;
                if (++goodInARow >= config.rise()) {
                    server.checked(true, why);
                }
            } else {
                goodInARow = 0;
                if (++badInARow >= config.fall()) {
                    server.checked(false, why);
                }
            }
        }
    }

    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final BiConsumer<Boolean, String> verdict;
        private boolean answered;

        ResponseHandler(BiConsumer<Boolean, String> verdict) {
            this.verdict = verdict;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            answered = true;
            int code = response.status().code();
            verdict.accept(code >= 200 && code < 400, "health check answered " + code);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!answered) {
                answered = true;
                verdict.accept(false, "connection closed without an answer");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!answered) {
                answered = true;
                verdict.accept(false, cause.toString());
            }
            ctx.close();
        }
    }
}
