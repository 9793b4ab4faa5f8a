package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.podrouter.testing.Poll;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One timer for both timeouts of a connection, on an {@link EmbeddedChannel} (its tasks run when the test says). */
class ConnectionTimerTest {
    final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    final ChannelHandlerContext ctx = channel.pipeline().firstContext();
    final AtomicBoolean idle = new AtomicBoolean(true);
    final AtomicInteger expired = new AtomicInteger();
    final AtomicInteger silences = new AtomicInteger();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private ConnectionTimer timer(long idleMillis, long silenceMillis) {
        return new ConnectionTimer(ctx, idleMillis, silenceMillis) {
            @Override
            boolean idle() {
                return idle.get();
            }

            @Override
            void expired() {
                ConnectionTimerTest.this.expired.incrementAndGet();
            }

            @Override
            void silent() {
                silences.incrementAndGet();
            }
        };
    }

    private void runFor(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            channel.runPendingTasks();
            Poll.pause();
        }
        channel.runPendingTasks();
    }

    @Test
    void anIdleConnectionExpiresOnceItsTimeoutHasPassed() {
        timer(30, 0).start();
        Poll.until("the idle connection expires", () -> {
            channel.runPendingTasks();
            return expired.get() == 1;
        });
        runFor(80);
        assertThat(expired).as("expires once").hasValue(1);
        assertThat(silences).hasValue(0);
    }

    @Test
    void aBusyConnectionDoesNotExpireAndCountsIdleFromWhenItsRequestEnded() {
        ConnectionTimer timer = timer(30, 0);
        idle.set(false);
        timer.start();
        runFor(100);
        assertThat(expired).as("a request in flight for longer than the idle timeout").hasValue(0);
        idle.set(true);
        long idleFrom = System.nanoTime();
        timer.wentIdle();
        Poll.until("it expires once idle", () -> {
            channel.runPendingTasks();
            return expired.get() == 1;
        });
        assertThat(System.nanoTime() - idleFrom).as("ns idle before it expired").isGreaterThanOrEqualTo(30_000_000);
    }

    @Test
    void silenceIsReportedAfterItsTimeoutAndAgainAfterEachFurtherPeriod() {
        idle.set(false);
        timer(0, 30).start();
        Poll.until("two reports of silence", () -> {
            channel.runPendingTasks();
            return silences.get() == 2;
        });
        assertThat(expired).hasValue(0);
    }

    @Test
    void readsPutTheSilenceOff() {
        idle.set(false);
        // Reads every 5 ms against a silence of 250 ms: a slow machine's late wake-ups stay well inside it.
        ConnectionTimer timer = timer(0, 250);
        timer.start();
        long end = System.nanoTime() + 750_000_000;
        while (System.nanoTime() < end) {
            timer.readEnded();
            channel.runPendingTasks();
            Poll.pause();
        }
        assertThat(silences).as("a peer that keeps sending is never silent").hasValue(0);
        Poll.until("silence once the reads stop", () -> {
            channel.runPendingTasks();
            return silences.get() == 1;
        });
    }

    @Test
    void stoppedItDoesNothing() {
        ConnectionTimer timer = timer(20, 20);
        timer.start();
        timer.stop();
        runFor(80);
        assertThat(expired).hasValue(0);
        assertThat(silences).hasValue(0);
    }

    @Test
    void bothTimeoutsZeroScheduleNothing() {
        timer(0, 0).start();
        assertThat(channel.hasPendingTasks()).isFalse();
    }
}
