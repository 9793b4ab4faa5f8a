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
import io.podrouter.http.LogText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One lookup of one key: asks the directory URLs in order until one answers, within one overall
 * timeout. With hedging, when the URL asked has not answered after the hedge delay, the next URL
 * is asked too; the first good answer wins and the other request is cancelled. Runs entirely on
 * the event loop it was started on.
 */
final class DirectoryLookup {
    /** A timer this late ran on a busy event loop: the answer may be waiting unread in the socket. */
    private static final long LATE_TIMER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final DirectoryClient client;
    private final String key;
    private final EventLoop loop;
    private final Consumer<DirectoryAnswer> then;
    private final List<Attempt> attempts = new ArrayList<>(2);
    private int nextUrl;
    private String lastFailure = "no directory URL";
    private ScheduledFuture<?> timeout;
    private ScheduledFuture<?> hedge;
    private long deadline;
    private boolean graceGiven;
    private boolean hedged;
    private boolean done;

    DirectoryLookup(DirectoryClient client, String key, EventLoop loop, Consumer<DirectoryAnswer> then) {
        this.client = client;
        this.key = key;
        this.loop = loop;
        this.then = then;
    }

    void start() {
        deadline = System.nanoTime() + client.timeoutNanos();
        timeout = loop.schedule(this::timedOut, client.timeoutNanos(), TimeUnit.NANOSECONDS);
        long hedgeNanos = client.hedgeAfterNanos();
        if (hedgeNanos > 0 && client.urls().size() > 1) {
            hedge = loop.schedule(this::hedge, hedgeNanos, TimeUnit.NANOSECONDS);
        }
        askNext();
    }

    /** Asks the next URL; when none is left and nothing is in flight, the lookup has failed. */
    private void askNext() {
        if (nextUrl >= client.urls().size()) {
            if (attempts.isEmpty()) {
                finish(new DirectoryAnswer.Failed(lastFailure));
            }
            return;
        }
        Attempt a = new Attempt(nextUrl++);
        attempts.add(a);
        a.connect();
    }

    private void hedge() {
        if (done || hedged || nextUrl >= client.urls().size() || attempts.isEmpty() || !client.startHedge()) {
            return;
        }
        hedged = true;
        askNext();
    }

    private void answered(Attempt a, FullHttpResponse response) {
        attempts.remove(a);
        a.release(HttpUtil.isKeepAlive(response));
        if (done) {
            return;
        }
        DirectoryAnswer answer = AnswerParser.parse(response);
        if (answer instanceof DirectoryAnswer.Failed failed) {
            failedOver(failed.reason() + " (" + client.urls().get(a.url) + ")");
        } else {
            finish(answer);
        }
    }

    private void attemptFailed(Attempt a, String reason) {
        attempts.remove(a);
        a.release(false);
        if (!done) {
            failedOver(reason + " (" + client.urls().get(a.url) + ")");
        }
    }

    /** One URL failed: go on with the one still in flight (a hedge), else with the next URL. */
    private void failedOver(String reason) {
        lastFailure = reason;
        if (attempts.isEmpty()) {
            askNext();
        }
    }

    private void timedOut() {
        if (done) {
            return;
        }
        long late = System.nanoTime() - deadline;
        if (late > LATE_TIMER_NANOS && !graceGiven) {
            // The loop was busy: an answer may have arrived and not been read yet. Let it be read
            // (one more short wait) before blaming the directory for the loop's backlog.
            graceGiven = true;
            deadline = System.nanoTime() + Math.min(client.timeoutNanos(), late);
            timeout = loop.schedule(this::timedOut, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            return;
        }
        finish(new DirectoryAnswer.Failed("no answer within " + TimeUnit.NANOSECONDS.toMillis(client.timeoutNanos()) + "ms"));
    }

    private void finish(DirectoryAnswer answer) {
        if (done) {
            return;
        }
        done = true;
        timeout.cancel(false);
        if (hedge != null) {
            hedge.cancel(false);
        }
        for (Attempt a : attempts) {
            a.release(false); // the slower of two hedged requests, or one cut off by the timeout
        }
        attempts.clear();
        client.finished(answer, hedged);
        then.accept(answer);
    }

    /** One request to one URL, on a pooled keep-alive connection. */
    final class Attempt {
        final int url;
        private Channel channel;
        private DirectoryResponseHandler handler;
        private boolean released;

        Attempt(int url) {
            this.url = url;
        }

        void connect() {
            UpstreamPool pool = client.pools().get(url);
            Channel idle = pool.pollIdle();
            if (idle != null) {
                send(idle);
                return;
            }
            ChannelFuture f = pool.connect(loop);
            f.addListener((ChannelFuture connected) -> {
                if (released) {
                    if (connected.isSuccess()) {
                        pool.release(connected.channel());
                    }
                } else if (connected.isSuccess()) {
                    send(connected.channel());
                } else if (loop.isShuttingDown()) {
                    // The router stops and its directory loop with it: nothing the directory did.
                    attempts.remove(this);
                    finish(DirectoryClient.STOPPING);
                } else {
                    attemptFailed(this, "cannot connect to " + pool.address() + ": " + LogText.why(connected.cause()));
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
            DirectoryLookup.this.answered(this, response);
        }

        void failed(String reason) {
            attemptFailed(this, reason);
        }

        /** Done with the connection: back to the pool when it can carry another request, else closed. */
        void release(boolean reusable) {
            if (released) {
                return;
            }
            released = true;
            if (channel == null) {
                return; // still connecting: the connect listener pools it
            }
            handler.unbind();
            if (reusable) {
                client.pools().get(url).release(channel);
            } else {
                channel.close();
            }
            channel = null;
        }
    }
}
