package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.FlushResult;
import dev.beacon.Message;
import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The engine's spool path, against an in-memory spool that survives "restarts". */
class SpoolEngineTest {
  private final MemorySpool.Disk disk = new MemorySpool.Disk();

  private Analytics client(CapturingTransport t, SpoolDurability durability) {
    return builder(t).spool(new MemorySpool(disk, 64L << 20)).spoolDurability(durability).flushAt(50).build();
  }

  private static List<String> track(Analytics a, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Track t = Track.builder("Spooled").userId("u" + (i % 7)).properties(Map.of("i", i)).build();
      assertThat(a.enqueue(t)).isTrue();
      ids.add(t.messageId());
    }
    return ids;
  }

  @Test
  void aCallThatReturnedTrueIsAlreadyInTheJournal() {
    CapturingTransport capture = new CapturingTransport().latency(Duration.ofSeconds(30));
    Analytics a = client(capture, SpoolDurability.PROCESS_CRASH);
    for (int i = 0; i < 200; i++) {
      assertThat(a.track("u", "E", Map.of("i", i))).isTrue();
      synchronized (disk) {
        assertThat(disk.records).hasSize(i + 1);
      }
    }
    a.close(Duration.ofMillis(100));
  }

  @Test
  void spooledMessagesAreDeliveredInOrderAndAcknowledged() {
    CapturingTransport capture = new CapturingTransport();
    List<String> ids;
    try (Analytics a = client(capture, SpoolDurability.PROCESS_CRASH)) {
      ids = track(a, 500);
      FlushResult r = a.flush(WAIT);
      assertThat(r.isSuccess()).isTrue();
      Stats s = assertConserved(a);
      assertThat(s.delivered()).isEqualTo(500);
      assertThat(s.spooled()).isZero();
    }
    assertThat(capture.messages()).extracting(CapturedMessage::messageId).containsExactlyElementsOf(ids);
    assertThat(disk.acked).isEqualTo(499);
  }

  @Test
  void closeWithTheCollectorDownLeavesMessagesSpooledAndTheyArriveAfterRestart() {
    CapturingTransport down = new CapturingTransport().failNext(100_000, Fault.retryable(503));
    Analytics first = builder(down).spool(new MemorySpool(disk, 64L << 20)).flushAt(50)
        .retryPolicy(dev.beacon.RetryPolicy.defaults()).build();
    List<String> ids = track(first, 300);
    FlushResult closed = first.close(Duration.ofMillis(300));
    assertThat(closed.complete()).isFalse();
    Stats s1 = assertConserved(first);
    assertThat(s1.failed()).as("nothing is reported lost: it stays in the spool").isZero();
    assertThat(s1.pending()).isEqualTo(300);
    assertThat(down.messages()).isEmpty();

    CapturingTransport up = new CapturingTransport();
    try (Analytics second = client(up, SpoolDurability.PROCESS_CRASH)) {
      assertThat(second.stats().recovered()).isEqualTo(300);
      assertThat(second.flush(WAIT).isSuccess()).isTrue();
      assertThat(up.messages()).extracting(CapturedMessage::messageId).containsExactlyElementsOf(ids);
      Stats s2 = assertConserved(second);
      assertThat(s2.delivered()).isEqualTo(300);
      assertThat(s2.pending()).isZero();
    }
  }

  @Test
  void aFullSpoolRefusesNewMessagesAndCountsThem() {
    // Nothing is delivered (so nothing leaves the spool) until the gate opens.
    GatedTransport stuck = new GatedTransport(new CapturingTransport());
    Analytics a = builder(stuck).spool(new MemorySpool(disk, 1 << 20)).maxSpoolBytes(1 << 20).build();
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 400; i++) {
      if (a.track("u", "Big", Map.of("blob", "x".repeat(8000)))) {
        accepted++;
      } else {
        refused++;
      }
    }
    assertThat(accepted).isBetween(100, 140);
    assertThat(a.stats().dropped(DropReason.SPOOL_FULL)).isEqualTo(refused);
    stuck.open();
    a.close(Duration.ofMillis(100));
  }

  @Test
  void aFailingSpoolDegradesToMemoryAndRecovers() throws Exception {
    CapturingTransport capture = new CapturingTransport();
    List<Message> failed = new CopyOnWriteArrayList<>();
    try (Analytics a = builder(capture).spool(new MemorySpool(disk, 64L << 20)).flushAt(10)
        .onError((e, m) -> failed.addAll(m)).build()) {
      track(a, 20);
      disk.failing = true;
      track(a, 20);
      assertThat(a.stats().spoolDegraded()).isTrue();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      disk.failing = false;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (a.stats().spoolDegraded() && System.nanoTime() < deadline) {
        a.track("u", "Probe");
        Thread.sleep(50);
      }
      assertThat(a.stats().spoolDegraded()).isFalse();
      track(a, 20);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      Stats s = assertConserved(a);
      assertThat(s.delivered()).isEqualTo(s.accepted());
      assertThat(failed).isEmpty();
      assertThat(capture.messages()).hasSize((int) s.accepted());
    }
  }

  @Test
  void bufferedDurabilityDoesNotWaitForTheJournalButStillDelivers() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = client(capture, SpoolDurability.BUFFERED)) {
      track(a, 300);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).hasSize(300);
    }
  }

  @Test
  void failuresOfSpooledBatchesAreReportedAndAcknowledged() {
    // Five refusals: the five messages fail however the spool reader cuts them into batches (on a
    // busy machine it can send the first one alone before the other four are journaled).
    CapturingTransport capture = new CapturingTransport().failNext(5, Fault.permanent(400));
    List<Message> failed = new CopyOnWriteArrayList<>();
    try (Analytics a = builder(capture).spool(new MemorySpool(disk, 64L << 20)).flushAt(5).flushInterval(Duration.ofHours(1))
        .onError((e, m) -> failed.addAll(m)).build()) {
      List<String> ids = track(a, 5);
      a.flush(WAIT);
      assertThat(failed).extracting(Message::messageId).containsExactlyElementsOf(ids);
      assertThat(disk.acked).isEqualTo(4);
      assertConserved(a);
    }
  }

  @Test
  void theClientClosesItsSpool() {
    MemorySpool spool = new MemorySpool(disk, 64L << 20);
    builder(new CapturingTransport()).spool(spool).build().close();
    assertThat(spool.isClosed()).isTrue();
  }
}
