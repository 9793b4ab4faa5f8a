package io.podrouter.directory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.podrouter.backend.UpstreamPool;
import io.podrouter.config.DirectoryUrl;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One lookup of one key: asks the directory URLs in order until one answers, within one overall
 * timeout. Runs entirely on the event loop it was started on.
 */
final class DirectoryLookup {
    private final DirectoryClient client;
    private final String key;
    private final EventLoop loop;
    private final Consumer<DirectoryAnswer> then;
    private int url = -1;
    private Channel channel;
    private DirectoryResponseHandler handler;
    private ScheduledFuture<?> timeout;
    private boolean done;

    DirectoryLookup(DirectoryClient client, String key, EventLoop loop, Consumer<DirectoryAnswer> then) {
        this.client = client;
        this.key = key;
        this.loop = loop;
        this.then = then;
    }

    void start() {
        timeout = loop.schedule(this::timedOut, client.timeoutNanos(), TimeUnit.NANOSECONDS);
        nextUrl(null);
    }

    private void nextUrl(String lastFailure) {
        if (++url >= client.urls().size()) {
            finish(new DirectoryAnswer.Failed(lastFailure));
            return;
        }
        UpstreamPool pool = client.pools().get(url);
        Channel idle = pool.pollIdle(loop);
        if (idle != null) {
            send(idle);
            return;
        }
        ChannelFuture f = pool.connect(loop);
        f.addListener((ChannelFuture connected) -> {
            if (done) {
                if (connected.isSuccess()) {
                    pool.release(connected.channel());
                }
            } else if (connected.isSuccess()) {
                send(connected.channel());
            } else {
                nextUrl("cannot connect to " + pool.address() + ": " + connected.cause().getMessage());
            }
        });
    }

    private void send(Channel ch) {
        DirectoryUrl target = client.urls().get(url);
        channel = ch;
        handler = (DirectoryResponseHandler) ch.pipeline().get(DirectoryChannelInitializer.HANDLER);
        handler.bind(this);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target.target(key));
        request.headers()
                .set(HttpHeaderNames.HOST, target.hostHeader())
                .set(HttpHeaderNames.ACCEPT, "text/plain, application/json")
                .set(HttpHeaderNames.USER_AGENT, "podrouter");
        ch.writeAndFlush(request, ch.voidPromise());
    }

    void answered(FullHttpResponse response) {
        handler.unbind();
        if (HttpUtil.isKeepAlive(response)) {
            client.pools().get(url).release(channel);
        } else {
            channel.close();
        }
        channel = null;
        if (done) {
            return;
        }
        DirectoryAnswer answer = AnswerParser.parse(response);
        if (answer instanceof DirectoryAnswer.Failed failed) {
            nextUrl(failed.reason() + " (" + client.urls().get(url) + ")");
        } else {
            finish(answer);
        }
    }

    void attemptFailed(String reason) {
        if (channel != null) {
            handler.unbind();
            channel.close();
            channel = null;
        }
        if (!done) {
            nextUrl(reason + " (" + client.urls().get(url) + ")");
        }
    }

    private void timedOut() {
        if (done) {
            return;
        }
        if (channel != null) {
            handler.unbind();
            channel.close();
            channel = null;
        }
        finish(new DirectoryAnswer.Failed("no answer within " + TimeUnit.NANOSECONDS.toMillis(client.timeoutNanos()) + "ms"));
    }

    private void finish(DirectoryAnswer answer) {
        if (done) {
            return;
        }
        done = true;
        timeout.cancel(false);
        client.finished(answer);
        then.accept(answer);
    }
}
