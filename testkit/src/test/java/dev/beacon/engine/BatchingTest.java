package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.Stats;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchingTest {
  @Test
  void sendsABatchAsSoonAsFlushAtMessagesAreQueued() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = builder(capture).flushAt(10).flushInterval(Duration.ofHours(1)).build()) {
      for (int i = 0; i < 10; i++) {
        a.track("u", "E", Map.of("i", i));
      }
      capture.awaitMessages(10, WAIT);
      assertThat(capture.batches()).hasSize(1);
      assertThat(capture.batches().get(0)).hasSize(10);
    }
  }

  @Test
  void sendsAPartialBatchWhenTheFlushIntervalPasses() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = builder(capture).flushAt(100).flushInterval(Duration.ofMillis(50)).build()) {
      a.track("u", "E1");
      a.track("u", "E2");
      a.track("u", "E3");
      assertThat(capture.awaitMessages(3, WAIT)).extracting(CapturedMessage::event).containsExactly("E1", "E2", "E3");
    }
  }

  @Test
  void flushWaitsForBatchesAlreadyInFlight() {
    CapturingTransport capture = new CapturingTransport().latency(Duration.ofMillis(300));
    try (Analytics a = builder(capture).flushAt(2).flushInterval(Duration.ofHours(1)).build()) {
      for (int i = 0; i < 5; i++) {
        a.track("u", "E", Map.of("i", i));
      }
      FlushResult r = a.flush(WAIT);
      assertThat(r.complete()).isTrue();
      assertThat(r.isSuccess()).isTrue();
      assertThat(r.pending()).isZero();
      assertThat(capture.messages()).hasSize(5);
      assertConserved(a);
    }
  }

  @Test
  void flushOnAnEmptyClientReturnsAtOnce() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = builder(capture).build()) {
      FlushResult r = a.flush(Duration.ofMinutes(10));
      assertThat(r.complete()).isTrue();
      // "At once": it did not wait for its 10-minute bound (a generous margin for a busy machine).
      assertThat(r.elapsed()).isLessThan(Duration.ofMinutes(1));
    }
  }

  @Test
  void batchesNeverExceedTheByteLimitAndDeclareTheirExactSize() {
    RecordingTransport t = new RecordingTransport();
    int limit = 40_000;
    try (Analytics a = builder(t).maxBatchBytes(limit).flushAt(2500).flushInterval(Duration.ofHours(1)).build()) {
      for (int i = 0; i < 200; i++) {
        a.track("u" + i, "Big", Map.of("blob", "x".repeat(1000 + 97 * (i % 50))));
      }
      assertThat(a.flush(WAIT).complete()).isTrue();
    }
    assertThat(t.messageCount()).isEqualTo(200);
    assertThat(t.sent).hasSizeGreaterThan(5);
    for (RecordingTransport.Sent s : t.sent) {
      assertThat(s.body().length).isEqualTo(s.declaredBytes()).isLessThanOrEqualTo(limit);
      assertThat(WireFormat.parseBatch(s.body())).hasSize(s.messages());
    }
  }

  @Test
  void batchesNeverExceedMaxBatchMessages() {
    RecordingTransport t = new RecordingTransport();
    try (Analytics a = builder(t).maxBatchMessages(50).flushAt(50).build()) {
      for (int i = 0; i < 1000; i++) {
        a.track("u", "E", Map.of("i", i));
      }
      assertThat(a.flush(WAIT).complete()).isTrue();
    }
    assertThat(t.messageCount()).isEqualTo(1000);
    assertThat(t.sent).allSatisfy(s -> assertThat(s.messages()).isLessThanOrEqualTo(50));
  }

  @Test
  void batchesGrowWhileTheOnlyRequestSlotIsBusy() {
    // The slot is busy until every call was made (a gate, not a latency that a slow loop outlasts).
    GatedTransport gate = new GatedTransport(new CapturingTransport());
    CapturingTransport capture = gate.capture;
    try (Analytics a = builder(gate).flushAt(10).build()) {
      for (int i = 0; i < 500; i++) {
        a.track("u", "E", Map.of("i", i));
      }
      gate.open();
      assertThat(a.flush(WAIT).complete()).isTrue();
      assertThat(capture.messages()).hasSize(500);
      assertThat(capture.batches().stream().mapToInt(List::size).max().orElse(0)).isGreaterThan(10);
    }
  }

  @Test
  void keepsTheOrderOfCallsWithOneRequestInFlight() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = builder(capture).flushAt(7).build()) {
      for (int i = 0; i < 300; i++) {
        a.track("u", "E" + i);
      }
      assertThat(a.flush(WAIT).complete()).isTrue();
      List<CapturedMessage> got = capture.messages();
      for (int i = 0; i < 300; i++) {
        assertThat(got.get(i).event()).isEqualTo("E" + i);
      }
    }
  }

  @Test
  void countsEveryStageAndConservesMessages() {
    CapturingTransport capture = new CapturingTransport(4);
    try (Analytics a = builder(capture).flushAt(25).build()) {
      for (int i = 0; i < 1000; i++) {
        a.identify("u" + i, Map.of("n", i));
        assertConserved(a);
      }
      assertThat(a.flush(WAIT).complete()).isTrue();
      Stats s = assertConserved(a);
      assertThat(s.accepted()).isEqualTo(1000);
      assertThat(s.delivered()).isEqualTo(1000);
      assertThat(s.pending()).isZero();
      assertThat(s.queuedBytes()).isZero();
      assertThat(s.batches()).isEqualTo(capture.batches().size());
      assertThat(s.requests()).isEqualTo(s.batches());
    }
  }
}
