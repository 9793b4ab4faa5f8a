package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One re-arming check per server connection instead of a timer per request (EmbeddedChannel, its clock advanced by hand). */
class ResponseDeadlineTest {
    static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);
    final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    final ChannelHandlerContext ctx = channel.pipeline().firstContext();
    int passed;
    final ResponseDeadline deadline = new ResponseDeadline(ctx, () -> passed++);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    void advanceSeconds(long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aResponseThatHasNotBegunByItsDeadlinePassesIt() {
        deadline.start(TIMEOUT);
        advanceSeconds(9);
        assertThat(passed).isZero();
        advanceSeconds(1);
        assertThat(passed).isOne();
    }

    @Test
    void aClearedDeadlineNeverPasses() {
        deadline.start(TIMEOUT);
        deadline.clear();
        advanceSeconds(60);
        assertThat(passed).isZero();
    }

    @Test
    void eachRequestOnABusyConnectionGetsItsOwnFullTimeoutFromOneTimer() {
        deadline.start(TIMEOUT);
        advanceSeconds(6);
        deadline.clear();
        deadline.start(TIMEOUT); // the next request, 6 s after the first: due at 16 s
        advanceSeconds(4); // 10 s: the check fires, finds the second request not yet due, re-arms
        assertThat(passed).isZero();
        advanceSeconds(5); // 15 s
        assertThat(passed).isZero();
        advanceSeconds(1); // 16 s
        assertThat(passed).isOne();
    }

    @Test
    void aShorterTimeoutThanTheArmedCheckIsStillKept() {
        deadline.start(TIMEOUT);
        deadline.clear();
        deadline.start(TimeUnit.SECONDS.toNanos(2)); // a reload shortened timeouts.server
        advanceSeconds(2);
        assertThat(passed).isOne();
    }

    @Test
    void aStoppedDeadlineNeverPassesAndAZeroTimeoutMeansNone() {
        deadline.start(TIMEOUT);
        deadline.stop();
        deadline.start(0);
        advanceSeconds(60);
        assertThat(passed).isZero();
    }
}
