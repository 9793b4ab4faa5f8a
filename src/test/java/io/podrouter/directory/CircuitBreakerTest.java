package io.podrouter.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final CircuitBreaker circuit = new CircuitBreaker(3, 500, now::get);

    @Test
    void opensAfterThresholdConsecutiveFailures() {
        circuit.failed();
        circuit.failed();
        circuit.succeeded();
        circuit.failed();
        circuit.failed();
        assertThat(circuit.allows()).as("a success resets the count").isTrue();
        circuit.failed();
        assertThat(circuit.isOpen()).isTrue();
        assertThat(circuit.allows()).isFalse();
        now.addAndGet(499);
        assertThat(circuit.allows()).isFalse();
    }

    @Test
    void letsOneProbeThroughAfterOpenForWhoseSuccessCloses() {
        open();
        now.addAndGet(500);
        assertThat(circuit.allows()).as("the probe").isTrue();
        assertThat(circuit.allows()).as("only one probe").isFalse();
        circuit.succeeded();
        assertThat(circuit.isOpen()).isFalse();
        assertThat(circuit.allows()).isTrue();
        assertThat(circuit.allows()).isTrue();
    }

    @Test
    void aFailedProbeOpensItAgainForAnotherPeriod() {
        open();
        now.addAndGet(500);
        assertThat(circuit.allows()).isTrue();
        circuit.failed();
        assertThat(circuit.allows()).isFalse();
        now.addAndGet(499);
        assertThat(circuit.allows()).isFalse();
        now.addAndGet(1);
        assertThat(circuit.allows()).isTrue();
    }

    @Test
    void worksAcrossTheNanoTimeWrap() {
        now.set(Long.MAX_VALUE - 100);
        open();
        now.set(Long.MAX_VALUE + 300); // wrapped
        assertThat(circuit.allows()).isFalse();
        now.set(Long.MAX_VALUE + 401);
        assertThat(circuit.allows()).isTrue();
    }

    private void open() {
        for (int i = 0; i < 3; i++) {
            circuit.failed();
        }
        assertThat(circuit.allows()).isFalse();
    }
}
