package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.beaconThreads;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.FailureReason;
import dev.beacon.FlushResult;
import dev.beacon.Message;
import dev.beacon.Stats;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ShutdownTest {
  @Test
  void closeDrainsPendingBatchesWithinTimeout() {
    CapturingTransport capture = new CapturingTransport();
    Analytics a = builder(capture).flushAt(2500).flushInterval(Duration.ofHours(1)).build();
    for (int i = 0; i < 500; i++) {
      a.track("u", "E", Map.of("i", i));
    }
    FlushResult r = a.close(WAIT);
    assertThat(r.complete()).isTrue();
    assertThat(capture.messages()).hasSize(500);
    assertThat(capture.isClosed()).isTrue();
    assertThat(assertConserved(a).delivered()).isEqualTo(500);
  }

  @Test
  void closeReportsWhatItCannotDeliverAsShutdownAndReturnsInTime() {
    CapturingTransport capture = new CapturingTransport().latency(Duration.ofSeconds(30));
    List<Message> reported = new CopyOnWriteArrayList<>();
    Analytics a = builder(capture).flushAt(10).maxBatchMessages(10).maxQueueSize(64)
        .onError((e, m) -> {
          assertThat(e.reason()).isEqualTo(FailureReason.SHUTDOWN);
          reported.addAll(m);
        }).build();
    for (int i = 0; i < 60; i++) {
      a.track("u", "E", Map.of("i", i));
    }
    long start = System.nanoTime();
    FlushResult r = a.close(Duration.ofMillis(200));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(r.complete()).isFalse();
    Stats s = assertConserved(a);
    assertThat(s.pending()).isZero();
    assertThat(s.failed(FailureReason.SHUTDOWN)).isEqualTo(s.accepted()).isEqualTo(reported.size());
  }

  @Test
  void closeIsIdempotentAndSafeFromManyThreads() throws Exception {
    CapturingTransport capture = new CapturingTransport();
    Analytics a = builder(capture).build();
    a.track("u", "E");
    List<Thread> closers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Thread t = new Thread(a::close);
      closers.add(t);
      t.start();
    }
    for (Thread t : closers) {
      t.join(WAIT.toMillis());
    }
    a.close();
    assertThat(capture.messages()).hasSize(1);
    assertThat(a.isClosed()).isTrue();
  }

  @Test
  void noBeaconThreadSurvivesClose() throws Exception {
    Set<String> before = beaconThreads();
    CapturingTransport capture = new CapturingTransport().failNext(3, Fault.retryable(503));
    Analytics a = builder(capture).build();
    for (int i = 0; i < 100; i++) {
      a.track("u", "E");
    }
    a.close();
    long deadline = System.nanoTime() + WAIT.toNanos();
    Set<String> after = beaconThreads();
    while (!before.containsAll(after) && System.nanoTime() < deadline) {
      Thread.sleep(10);
      after = beaconThreads();
    }
    assertThat(after).isSubsetOf(before);
  }

  @Test
  void manyProducersRacingCloseStillConserveEveryMessage() throws Exception {
    CapturingTransport capture = new CapturingTransport(2);
    Analytics a = builder(capture).flushAt(50).maxQueueSize(1024).build();
    AtomicLong trueReturns = new AtomicLong();
    AtomicBoolean go = new AtomicBoolean(true);
    CountDownLatch started = new CountDownLatch(4);
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      int id = p;
      Thread t = new Thread(() -> {
        started.countDown();
        int i = 0;
        while (go.get()) {
          if (a.track("user-" + id, "E", Map.of("i", i++))) {
            trueReturns.incrementAndGet();
          }
        }
      });
      producers.add(t);
      t.start();
    }
    started.await();
    // Close while the producers are busy: wait until they have made calls, not a fixed time.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (trueReturns.get() < 1_000 && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(trueReturns.get()).as("calls made before close").isGreaterThanOrEqualTo(1_000);
    FlushResult r = a.close(WAIT);
    go.set(false);
    for (Thread t : producers) {
      t.join(WAIT.toMillis());
    }
    Stats s = assertConserved(a);
    assertThat(r.complete()).isTrue();
    assertThat(s.accepted()).isEqualTo(trueReturns.get());
    assertThat(s.pending()).isZero();
    assertThat(s.delivered()).isEqualTo(s.accepted());
    assertThat(capture.messages()).hasSize((int) s.delivered());
  }

  @Test
  void flushAndCloseFromInsideTheErrorCallbackDoNotDeadlock() throws Exception {
    CapturingTransport capture = new CapturingTransport().failNext(1, Fault.permanent(400));
    Analytics[] self = new Analytics[1];
    CountDownLatch called = new CountDownLatch(1);
    Analytics a = builder(capture).flushAt(1).onError((e, m) -> {
      self[0].flush(Duration.ofMinutes(5));
      self[0].close(Duration.ofMinutes(5));
      called.countDown();
    }).build();
    self[0] = a;
    a.track("u", "E");
    assertThat(called.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(a.isClosed()).isTrue();
    assertThat(a.close(WAIT).complete()).isTrue();
  }
}
