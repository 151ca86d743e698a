package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.Message;
import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/** {@code Analytics.Builder.onDelivered}: analytics-java's {@code Callback.success}. */
class DeliveryCallbackTest {
  record Call(Thread thread, List<Message> messages) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Set<Thread> beaconThreads = ConcurrentHashMap.newKeySet();
  private final ThreadFactory threads = r -> {
    Thread t = new Thread(r, "beacon-callback-test");
    t.setDaemon(true);
    beaconThreads.add(t);
    return t;
  };

  private Analytics.Builder client(CapturingTransport t) {
    return builder(t).threadFactory(threads).flushAt(5).maxBatchMessages(5).flushInterval(Duration.ofHours(1))
        .onDelivered(m -> calls.add(new Call(Thread.currentThread(), m)));
  }

  private static List<String> track(Analytics a, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Track t = Track.builder("Delivered").userId("u" + i).properties(Map.of("i", i)).build();
      assertThat(a.enqueue(t)).isTrue();
      ids.add(t.messageId());
    }
    return ids;
  }

  private List<String> deliveredIds() {
    return calls.stream().flatMap(c -> c.messages().stream()).map(Message::messageId).toList();
  }

  @Test
  void eachDeliveredBatchReachesTheCallbackOnABeaconThreadBeforeFlushReturns() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = client(capture).build()) {
      List<String> ids = track(a, 12);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(deliveredIds()).containsExactlyElementsOf(ids);
      assertThat(calls).hasSize(capture.batches().size());
      assertThat(calls).allSatisfy(c -> {
        assertThat(beaconThreads).contains(c.thread());
        assertThat(c.messages()).hasSizeBetween(1, 5);
        assertThatThrownBy(() -> c.messages().remove(0)).isInstanceOf(UnsupportedOperationException.class);
      });
      assertThat(a.stats().callbackErrors()).isZero();
    }
  }

  @Test
  void aThrowingDeliveryCallbackIsCountedAndTheMessagesStayDelivered() {
    CapturingTransport capture = new CapturingTransport();
    List<Object> errors = new CopyOnWriteArrayList<>();
    try (Analytics a = builder(capture).flushAt(1).onError((e, m) -> errors.add(e)).onDelivered(m -> {
      throw new IllegalStateException("callback bug");
    }).build()) {
      a.track("u", "E1");
      a.track("u", "E2");
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      Stats s = assertConserved(a);
      assertThat(s.callbackErrors()).isEqualTo(2);
      assertThat(s.delivered()).isEqualTo(2);
      assertThat(s.failed()).isZero();
      assertThat(errors).isEmpty();
      assertThat(capture.messages()).hasSize(2);
    }
  }

  @Test
  void failedMessagesGoToOnErrorNeverToOnDelivered() {
    CapturingTransport capture = new CapturingTransport().failNext(1, Fault.permanent(400));
    List<List<Message>> failed = new CopyOnWriteArrayList<>();
    try (Analytics a = client(capture).onError((e, m) -> failed.add(m)).build()) {
      List<String> ids = track(a, 10);
      a.flush(WAIT);
      assertThat(failed).hasSize(1);
      assertThat(failed.get(0)).extracting(Message::messageId).containsExactlyElementsOf(ids.subList(0, 5));
      assertThat(deliveredIds()).containsExactlyElementsOf(ids.subList(5, 10));
    }
  }

  @Test
  void aBatchSplitAfterTooLargeIsReportedPartByPart() {
    CapturingTransport capture = new CapturingTransport().failNext(1, Fault.tooLarge());
    try (Analytics a = client(capture).build()) {
      List<String> ids = track(a, 4);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(deliveredIds()).containsExactlyElementsOf(ids);
      assertThat(calls).extracting(c -> c.messages().size()).containsExactly(2, 2);
    }
  }

  @Test
  void spooledBatchesReachTheCallbackDecodedFromTheJournal() {
    CapturingTransport capture = new CapturingTransport();
    MemorySpool spool = new MemorySpool(new MemorySpool.Disk(), 64L << 20);
    try (Analytics a = client(capture).spool(spool).spoolDurability(SpoolDurability.PROCESS_CRASH).build()) {
      List<String> ids = track(a, 12);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(deliveredIds()).containsExactlyElementsOf(ids);
      assertThat(calls).allSatisfy(c -> {
        assertThat(beaconThreads).contains(c.thread());
        assertThat(c.messages()).allSatisfy(m -> assertThat(((Track) m).event()).isEqualTo("Delivered"));
      });
      assertThat(a.stats().delivered()).isEqualTo(12);
    }
  }
}
