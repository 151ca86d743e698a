package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.beaconThreads;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.DropReason;
import dev.beacon.FailureReason;
import dev.beacon.Message;
import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the lifecycle defects of the hardening issue: each races a call against
 * {@code close()} or a stuck stage deterministically (latches, not sleeps) and checks that every
 * accepted message is delivered, reported or left in the spool, and that no call blocks beyond
 * what its policy allows.
 */
class LifecycleRaceTest {

  /** Defect 1: a degraded spool and a stalled API must not block callers beyond their policy. */
  @Test
  void callersNeverBlockWhenTheSpoolIsDegradedAndTheApiStalls() throws Exception {
    MemorySpool.Disk disk = new MemorySpool.Disk();
    disk.failing = true; // every append fails: the journal degrades to memory mode at once
    CapturingTransport stalled = new CapturingTransport().latency(Duration.ofMinutes(10));
    Analytics a = builder(stalled).spool(new MemorySpool(disk, 64L << 20))
        .spoolDurability(SpoolDurability.PROCESS_CRASH)
        .maxQueueSize(16).maxBatchMessages(4).flushAt(4).build();
    AtomicInteger returned = new AtomicInteger();
    Thread caller = new Thread(() -> {
      for (int i = 0; i < 500; i++) {
        a.track("u", "E", Map.of("i", i));
        returned.incrementAndGet();
      }
    });
    caller.start();
    caller.join(WAIT.toMillis());
    assertThat(caller.isAlive()).as("a caller is blocked (%s calls returned)", returned.get()).isFalse();
    Stats s = a.stats();
    assertThat(s.spoolDegraded()).isTrue();
    assertThat(s.accepted() + s.dropped()).isEqualTo(500);
    assertThat(s.dropped(DropReason.QUEUE_FULL)).isPositive();
    a.close(Duration.ZERO);
    assertConserved(a);
    assertThat(a.stats().pending()).isZero();
  }

  /**
   * Defect 2: a sync call whose delivery has not started when close halts is reported as
   * SHUTDOWN to its caller and to the counters, not left to time out as DEADLINE_EXCEEDED.
   */
  @Test
  void aSyncCallRacingCloseIsReportedAsShutdown() throws Exception {
    CountDownLatch callbackEntered = new CountDownLatch(1);
    CountDownLatch releaseCallback = new CountDownLatch(1);
    AtomicInteger sends = new AtomicInteger();
    Transport transport = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        // The first message is refused: its report runs the slow callback on the engine's thread.
        return CompletableFuture.completedFuture(sends.getAndIncrement() == 0
            ? SendResult.permanent(400, "bad", null) : SendResult.delivered(200));
      }

      @Override
      public int maxConcurrentRequests() {
        return 4;
      }
    };
    List<FailureReason> reported = new CopyOnWriteArrayList<>();
    Analytics a = builder(transport).syncMode(true).flushTimeout(Duration.ofMinutes(5))
        .onError((e, m) -> {
          reported.add(e.reason());
          if (e.reason() == FailureReason.REJECTED) {
            callbackEntered.countDown();
            try {
              releaseCallback.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          }
        }).build();
    AtomicReference<Throwable> first = new AtomicReference<>();
    Thread t1 = new Thread(() -> {
      try {
        a.track("u", "First");
      } catch (Throwable e) {
        first.set(e);
      }
    });
    t1.start();
    assertThat(callbackEntered.await(20, TimeUnit.SECONDS)).isTrue();
    AtomicReference<Throwable> second = new AtomicReference<>();
    AtomicBoolean secondReturned = new AtomicBoolean();
    CountDownLatch secondDone = new CountDownLatch(1);
    Thread t2 = new Thread(() -> {
      try {
        secondReturned.set(a.track("u", "Second"));
      } catch (Throwable e) {
        second.set(e);
      } finally {
        secondDone.countDown();
      }
    });
    t2.start();
    // The second call is accepted (its delivery waits behind the busy callback) before close.
    while (a.stats().accepted() < 2 && t2.isAlive()) {
      Thread.onSpinWait();
    }
    try {
      a.close(Duration.ZERO);
      assertThat(secondDone.await(20, TimeUnit.SECONDS)).as("the sync caller was released").isTrue();
    } finally {
      releaseCallback.countDown();
    }
    t1.join(WAIT.toMillis());
    assertThat(secondReturned.get()).isFalse();
    assertThat(second.get()).isInstanceOf(DeliveryException.class);
    assertThat(((DeliveryException) second.get()).reason()).isEqualTo(FailureReason.SHUTDOWN);
    assertThat(first.get()).isInstanceOf(DeliveryException.class);
    assertThat(((DeliveryException) first.get()).reason()).isEqualTo(FailureReason.REJECTED);
    awaitSettled(a);
    Stats s = assertConserved(a);
    assertThat(s.pending()).isZero();
    assertThat(s.delivered() + s.failed()).isEqualTo(s.accepted());
  }

  /**
   * Defect 3: a producer that passed the closed check and publishes after close(ZERO) returned
   * must not lose its message: it is journaled, or reported, or the call returns false.
   */
  @Test
  void aProducerStalledAcrossCloseZeroLosesNothing() throws Exception {
    for (SpoolDurability durability : new SpoolDurability[] {SpoolDurability.PROCESS_CRASH, SpoolDurability.BUFFERED}) {
      MemorySpool.Disk disk = new MemorySpool.Disk();
      CountDownLatch stalled = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      disk.stallPendingBytes = Thread.currentThread().getName() + "-stalled";
      disk.onStall = () -> {
        stalled.countDown();
        try {
          release.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
      List<Message> reported = new CopyOnWriteArrayList<>();
      CapturingTransport capture = new CapturingTransport();
      Analytics a = builder(capture).spool(new MemorySpool(disk, 64L << 20)).spoolDurability(durability)
          .onError((e, m) -> reported.addAll(m)).build();
      AtomicBoolean result = new AtomicBoolean();
      Thread producer = new Thread(() -> result.set(a.track("u", "Late")), disk.stallPendingBytes);
      producer.start();
      assertThat(stalled.await(20, TimeUnit.SECONDS)).isTrue();
      a.close(Duration.ZERO);
      release.countDown();
      producer.join(WAIT.toMillis());
      assertThat(producer.isAlive()).isFalse();
      Stats s = a.stats();
      if (result.get()) {
        long journaled;
        synchronized (disk) {
          journaled = disk.records.size() - (disk.acked + 1);
        }
        assertThat(s.delivered() + reported.size() + journaled)
            .as("%s: the call returned true, so its message is delivered, reported or journaled (%s)", durability, s)
            .isEqualTo(1);
      } else {
        assertThat(s.dropped(DropReason.CLOSED)).isEqualTo(1);
        assertThat(s.accepted()).isZero();
      }
    }
  }

  private static void awaitSettled(Analytics a) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (a.stats().pending() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }
}
