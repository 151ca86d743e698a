package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.FailureReason;
import dev.beacon.FlushResult;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Edge paths of the lifecycle: huge durations, Retry-After: 0, interrupts. */
class LifecycleEdgeTest {

  @Test
  void timeoutsTooLongForNanosecondsSaturateInsteadOfThrowing() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    Duration huge = Duration.ofMillis(Long.MAX_VALUE);
    CapturingTransport capture = new CapturingTransport();
    Analytics a = builder(capture).queueFullPolicy(QueueFullPolicy.block(forever)).flushTimeout(huge)
        .shutdownTimeout(forever).build();
    assertThat(a.track("u", "E")).isTrue();
    assertThat(a.flush(forever).isSuccess()).isTrue();
    assertThat(a.flush(huge).isSuccess()).isTrue();
    FlushResult r = a.close(forever);
    assertThat(r.complete()).isTrue();
    assertThat(capture.messages()).hasSize(1);

    Analytics sync = builder(new CapturingTransport()).syncMode(true).flushTimeout(forever).build();
    assertThat(sync.track("u", "E")).isTrue();
    assertThat(sync.close(huge).complete()).isTrue();
  }

  @Test
  void aZeroRetryAfterIsAnOrdinaryCountedBackoffNotAHotLoop() {
    AtomicInteger attempts = new AtomicInteger();
    Transport zero = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        attempts.incrementAndGet();
        return CompletableFuture.completedFuture(SendResult.retryable(429, Duration.ZERO, "slow down", null));
      }
    };
    List<FailureReason> reasons = new CopyOnWriteArrayList<>();
    RetryPolicy three = RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2))
        .jitter(false).maxRetries(3).build();
    Analytics a = builder(zero).retryPolicy(three).onError((e, m) -> reasons.add(e.reason())).build();
    a.track("u", "E");
    FlushResult r = a.flush(WAIT);
    assertThat(r.isSuccess()).as("flush ended because the batch was settled, %s", r).isFalse();
    assertThat(r.complete()).isTrue();
    assertThat(reasons).containsExactly(FailureReason.RETRIES_EXHAUSTED);
    assertThat(attempts.get()).isEqualTo(4);
    assertThat(a.stats().retries()).isEqualTo(3);
    a.close(WAIT);
  }

  @Test
  void interruptingBeaconsThreadsLosesNoMessage() {
    List<Thread> made = new CopyOnWriteArrayList<>();
    CapturingTransport capture = new CapturingTransport().latency(Duration.ofMillis(2));
    Analytics a = builder(capture).maxBatchMessages(10).flushAt(10).maxQueueSize(64)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30)))
        .threadFactory(r -> {
          Thread t = new Thread(r);
          t.setDaemon(true);
          made.add(t);
          return t;
        }).build();
    for (int i = 0; i < 2000; i++) {
      assertThat(a.track("u", "E", Map.of("i", i))).isTrue();
      if (i % 100 == 0) {
        made.forEach(Thread::interrupt);
      }
    }
    assertThat(a.flush(WAIT).isSuccess()).isTrue();
    Stats s = assertConserved(a);
    assertThat(s.delivered()).isEqualTo(2000);
    assertThat(capture.messages()).hasSize(2000);
    a.close(WAIT);
  }

  @Test
  void withASpoolCloseDoesNotSitOutItsTimeoutWhileTheApiIsFailing() throws Exception {
    MemorySpool.Disk disk = new MemorySpool.Disk();
    CapturingTransport down = new CapturingTransport().failNext(1_000_000, Fault.retryable(503));
    RetryPolicy slow = RetryPolicy.builder().baseDelay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(4))
        .jitter(false).build();
    Analytics a = builder(down).spool(new MemorySpool(disk, 64L << 20)).retryPolicy(slow).flushAt(10).build();
    for (int i = 0; i < 100; i++) {
      assertThat(a.track("u", "E", Map.of("i", i))).isTrue();
    }
    long waitUntil = System.nanoTime() + WAIT.toNanos();
    while (down.attempts() == 0 && System.nanoTime() < waitUntil) {
      Thread.sleep(5); // until the API is known to fail
    }
    long t0 = System.nanoTime();
    FlushResult r = a.close(Duration.ofMinutes(10));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(r.complete()).isFalse();
    assertThat(took).as("close returned long before its 10 minute timeout").isLessThan(Duration.ofMinutes(2));
    Stats s = a.stats();
    assertThat(s.failed()).isZero();
    assertThat(s.delivered()).isZero();
    assertThat(s.spooled()).isEqualTo(100);
    synchronized (disk) {
      assertThat(disk.records.size() - (disk.acked + 1)).isEqualTo(100);
    }
  }

  @Test
  void aSyncCallWithNoRequestSlotIsCountedAndOneOverMaxQueueBytesIsRefused() throws Exception {
    CapturingTransport stalled = new CapturingTransport().latency(Duration.ofMinutes(5));
    Analytics a = builder(stalled).syncMode(true).flushTimeout(Duration.ofMillis(300))
        .maxQueueBytes(dev.beacon.Message.MAX_MESSAGE_BYTES).build();
    String big = "x".repeat(20_000);
    Thread first = new Thread(() -> {
      try {
        a.track("u", "Big", Map.of("p", big));
      } catch (dev.beacon.DeliveryException expected) {
        // not confirmed within flushTimeout: the transport never answers
      }
    });
    first.start();
    long waitUntil = System.nanoTime() + WAIT.toNanos();
    while (a.stats().accepted() == 0 && System.nanoTime() < waitUntil) {
      Thread.onSpinWait();
    }
    assertThat(a.stats().accepted()).isEqualTo(1);
    // The only request slot is held by the first call: the second cannot be sent.
    assertThatThrownBy(() -> a.track("u", "Small")).isInstanceOf(dev.beacon.DeliveryException.class)
        .hasMessageContaining("no request slot");
    assertThat(a.stats().dropped(dev.beacon.DropReason.NO_REQUEST_SLOT)).isEqualTo(1);
    first.join(WAIT.toMillis());
    a.close(Duration.ZERO);

    CapturingTransport wide = new CapturingTransport(4).latency(Duration.ofMinutes(5));
    Analytics b = builder(wide).syncMode(true).flushTimeout(Duration.ofMillis(300))
        .maxQueueBytes(dev.beacon.Message.MAX_MESSAGE_BYTES).build();
    Thread holder = new Thread(() -> {
      try {
        b.track("u", "Big", Map.of("p", big));
      } catch (dev.beacon.DeliveryException expected) {
        // not confirmed within flushTimeout
      }
    });
    holder.start();
    waitUntil = System.nanoTime() + WAIT.toNanos();
    while (b.stats().accepted() == 0 && System.nanoTime() < waitUntil) {
      Thread.onSpinWait();
    }
    // 20 KB are in flight; another 20 KB would pass maxQueueBytes (32 KB).
    assertThat(b.track("u", "Big", Map.of("p", big))).isFalse();
    assertThat(b.stats().dropped(dev.beacon.DropReason.QUEUE_BYTES_FULL)).isEqualTo(1);
    holder.join(WAIT.toMillis());
    b.close(Duration.ZERO);
    assertConserved(b);
  }
}
