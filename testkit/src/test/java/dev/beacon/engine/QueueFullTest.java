package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.QueueFullPolicy;
import dev.beacon.Stats;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QueueFullTest {
  @Test
  void dropsNewestAndCountsWhenRingIsFull() {
    // The only request slot stays busy until the gate opens: the ring must fill, however fast or
    // slow this machine runs the loop.
    GatedTransport gate = new GatedTransport(new CapturingTransport());
    CapturingTransport capture = gate.capture;
    try (Analytics a = builder(gate).maxQueueSize(16).maxBatchMessages(10).flushAt(10).build()) {
      int accepted = 0;
      for (int i = 0; i < 200; i++) {
        if (a.track("u", "E", Map.of("i", i))) {
          accepted++;
        }
      }
      Stats s = a.stats();
      assertThat(accepted).isLessThan(200).isEqualTo((int) s.accepted());
      assertThat(s.dropped(DropReason.QUEUE_FULL)).isEqualTo(200 - accepted);
      gate.open();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).hasSize(accepted);
      assertConserved(a);
    }
  }

  @Test
  void dropsWhenTheQueuedBytesReachTheirBound() {
    GatedTransport gate = new GatedTransport(new CapturingTransport());
    CapturingTransport capture = gate.capture;
    try (Analytics a = builder(gate).maxQueueBytes(64 * 1024).flushAt(1).build()) {
      int accepted = 0;
      for (int i = 0; i < 100; i++) {
        if (a.track("u", "E", Map.of("blob", "x".repeat(4000)))) {
          accepted++;
        }
      }
      Stats s = a.stats();
      assertThat(accepted).isBetween(1, 20);
      assertThat(s.dropped(DropReason.QUEUE_BYTES_FULL)).isEqualTo(100 - accepted);
      assertThat(s.queuedBytes()).isLessThanOrEqualTo(64 * 1024);
      gate.open();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).hasSize(accepted);
      assertThat(a.stats().queuedBytes()).isZero();
    }
  }

  @Test
  void blockPolicyWaitsForRoomInsteadOfDropping() {
    CapturingTransport capture = new CapturingTransport().latency(Duration.ofMillis(20));
    try (Analytics a = builder(capture).maxQueueSize(16).maxBatchMessages(10).flushAt(10)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30))).build()) {
      for (int i = 0; i < 300; i++) {
        assertThat(a.track("u", "E", Map.of("i", i))).isTrue();
      }
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).hasSize(300);
      assertThat(a.stats().dropped()).isZero();
    }
  }

  @Test
  void blockPolicyGivesUpAfterItsTimeoutAndCounts() {
    GatedTransport gate = new GatedTransport(new CapturingTransport());
    try (Analytics a = builder(gate).maxQueueSize(4).maxBatchMessages(2).flushAt(2)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofMillis(20))).shutdownTimeout(Duration.ofMillis(100)).build()) {
      int refused = 0;
      for (int i = 0; i < 20; i++) {
        if (!a.track("u", "E")) {
          refused++;
        }
      }
      assertThat(refused).isPositive();
      assertThat(a.stats().dropped(DropReason.QUEUE_FULL)).isEqualTo(refused);
      gate.open();
    }
  }

  @Test
  void aBlockingCallFromInsideTheErrorCallbackNeverDeadlocks() {
    CapturingTransport capture = new CapturingTransport().failNext(1000, Fault.permanent(400)).latency(Duration.ofMillis(5));
    AtomicInteger callbacks = new AtomicInteger();
    Analytics[] self = new Analytics[1];
    try (Analytics a = builder(capture).maxQueueSize(2).maxBatchMessages(1).flushAt(1)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofMinutes(5)))
        .onError((e, m) -> {
          callbacks.incrementAndGet();
          for (int i = 0; i < 10; i++) {
            self[0].track("u", "From Callback"); // on Beacon's thread: must not wait for itself
          }
          self[0].flush(Duration.ofMinutes(5));   // nor may flush
        }).build()) {
      self[0] = a;
      a.track("u", "E");
      a.flush(Duration.ofSeconds(5));
    }
    assertThat(callbacks.get()).isPositive();
  }

  @Test
  void callsAfterCloseReturnFalseAndAreCounted() {
    CapturingTransport capture = new CapturingTransport();
    Analytics a = builder(capture).build();
    a.close();
    assertThat(a.track("u", "Late")).isFalse();
    assertThat(a.identify("u", Map.of())).isFalse();
    assertThat(a.stats().dropped(DropReason.CLOSED)).isEqualTo(2);
    assertThat(capture.messages()).isEmpty();
  }
}
