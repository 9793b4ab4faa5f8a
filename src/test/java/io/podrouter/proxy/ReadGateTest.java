package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadGateTest {
    final EmbeddedChannel channel = new EmbeddedChannel();
    final ReadGate gate = new ReadGate(channel);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void theGateSetsItsChannelsWriteBufferWatermarks() {
        assertThat(channel.config().getWriteBufferWaterMark()).isSameAs(ReadGate.WATER_MARK);
    }

    @Test
    void readsResumeOnlyWhenNoReasonIsLeft() {
        gate.pause(ReadGate.QUEUE);
        gate.pause(ReadGate.PEER);
        assertThat(channel.config().isAutoRead()).isFalse();

        gate.resume(ReadGate.PEER);
        assertThat(channel.config().isAutoRead()).as("still paused for the queue").isFalse();
        gate.resume(ReadGate.QUEUE);
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(gate.pauses()).as("one pause, however many reasons").isEqualTo(1);
    }

    @Test
    void resumingForAReasonThatDidNotPauseChangesNothing() {
        gate.pause(ReadGate.QUEUE);
        gate.resume(ReadGate.PEER);
        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(gate.paused()).isTrue();
    }

    @Test
    void aShutGateStaysPausedUntilOpened() {
        gate.pause(ReadGate.PEER);
        gate.shut();
        gate.resume(ReadGate.PEER);
        assertThat(channel.config().isAutoRead()).isFalse();

        gate.open();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(gate.paused()).isFalse();
    }

    @Test
    void everyPauseIsCounted() {
        for (int i = 0; i < 3; i++) {
            gate.pause(ReadGate.PEER);
            gate.resume(ReadGate.PEER);
        }
        assertThat(gate.pauses()).isEqualTo(3);
    }
}
