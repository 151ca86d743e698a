package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.beacon.Message;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.SpoolDurability;
import dev.beacon.Track;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, "make waiting one thing": the consumer's deep sleep had a 1 s cap that "only bounds a
 * missed wake-up", and one was missed. A request slot released between the consumer's failed
 * {@code tryAcquire} and its raising of {@code deepSleeping} found no sleeper to wake, and the
 * re-check before parking looked only at the ring: the batch waiting for that slot slept out the
 * cap. The {@link SleepProbe} releases the slot at exactly that moment; the consumer must then not
 * park while the batch waits and a slot is free.
 */
class DeepSleepWakeUpTest {
  private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** A transport whose attempts complete only when the test says so. */
  private static final class HeldTransport implements Transport {
    final List<Batch> sent = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<SendResult>> futures = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<SendResult> send(Batch batch) {
      CompletableFuture<SendResult> f = new CompletableFuture<>();
      futures.add(f);
      sent.add(batch);
      return f;
    }

    void completeAll() {
      futures.forEach(f -> f.complete(SendResult.delivered(200)));
    }
  }

  @Test
  void aSlotReleasedAsTheConsumerFallsAsleepSendsTheWaitingBatchWithoutSleeping() throws Exception {
    HeldTransport transport = new HeldTransport();
    // flushAt 1: every message wants a cut at once; the interval (1 h) never comes into it.
    EngineConfig cfg = new EngineConfig(16, 1 << 20, 1, 100, 500_000, Duration.ofHours(1),
        QueueFullPolicy.dropNewest(), RetryPolicy.builder().build(), (error, messages) -> { },
        Thread::new, null, true, false, false, Duration.ofSeconds(10), Duration.ofSeconds(10), null,
        SpoolDurability.BUFFERED, null, null);
    Counters counters = new Counters();
    Tracker tracker = new Tracker();
    Reporter reporter = new Reporter(counters, cfg.errorHandler());
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    Dispatcher dispatcher = new Dispatcher(cfg, transport, counters, reporter, scheduler);
    RingBuffer<Slot> ring = RingBuffer.createMultiProducer(Slot::new, 16, new YieldingWaitStrategy());
    Consumer consumer = new Consumer(cfg, ring, dispatcher, tracker, counters, reporter, null);
    dispatcher.onPermitReleased(consumer::nudgeIfDeep);

    AtomicBoolean armed = new AtomicBoolean();
    AtomicBoolean released = new AtomicBoolean();
    AtomicInteger parkedWithWorkReady = new AtomicInteger();
    AtomicInteger raced = new AtomicInteger();
    consumer.sleepProbe(new SleepProbe() {
      @Override
      public void deciding() {
        // The race window: the batch wants a cut, its tryAcquire failed, no flag is up yet.
        // Only once "Second" was taken (the consumer itself counts it) and waits in the batch.
        if (counters.consumed.get() == 2 && armed.compareAndSet(true, false)) {
          transport.futures.get(0).complete(SendResult.delivered(200));
          awaitCondition(dispatcher::hasFreeSlot); // released on the scheduler thread, no sleeper seen
          released.set(true);
          raced.incrementAndGet();
        }
      }

      @Override
      public void parking() {
        // After the race the slot stays free until the consumer cuts the waiting batch (which then
        // holds it: the second attempt is never completed): parking with it free is the lost wake-up.
        if (released.get() && transport.sent.size() < 2 && dispatcher.hasFreeSlot()) {
          parkedWithWorkReady.incrementAndGet();
        }
      }
    });
    Thread t = new Thread(consumer, "test-consumer");
    t.start();
    try {
      publish(ring, counters, consumer, "First");
      awaitCondition(() -> transport.sent.size() == 1); // in flight: holds the only slot
      armed.set(true);
      publish(ring, counters, consumer, "Second"); // wants a cut, finds no slot, then the consumer idles
      awaitCondition(() -> transport.sent.size() == 2 || parkedWithWorkReady.get() > 0);
      assertThat(raced.get()).as("the probe released the slot in the race window").isEqualTo(1);
      assertThat(parkedWithWorkReady.get())
          .as("the consumer parked with a batch waiting and a request slot free").isZero();
      awaitCondition(() -> transport.sent.size() == 2);
      assertThat(((Track) transport.sent.get(1).messages().get(0)).event()).isEqualTo("Second");
    } finally {
      transport.completeAll();
      consumer.halt();
      t.join(TimeUnit.SECONDS.toMillis(30));
      scheduler.shutdownNow();
      transport.completeAll();
    }
    assertThat(t.isAlive()).isFalse();
  }

  /** As {@code Engine.tryPublish} and {@code afterPublish}. */
  private static void publish(RingBuffer<Slot> ring, Counters counters, Consumer consumer, String event) {
    Message m = Track.builder(event).userId("u").build();
    counters.queuedBytes.addAndGet(m.serializedSizeBound());
    long seq = ring.next();
    ring.get(seq).message = m;
    ring.publish(seq);
    consumer.nudgeIfDeep();
  }

  /** Polls a condition with a generous deadline; never a timing assertion. */
  static void awaitCondition(BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
