package dev.beacon.internal;

import static dev.beacon.internal.DeepSleepWakeUpTest.awaitCondition;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: while {@code close()} drains, the consumer and the spool reader skipped their park
 * (the {@code !draining} exemption in the deep sleep's re-check) and spun until the batch they
 * waited for was answered or the close deadline passed, burning a core. Now a drain with nothing to
 * do parks like any other wait, woken by what it waits for (a freed request slot, a finished
 * batch). The {@link SleepProbe} counts the sleeper's decisions to sleep and its parks: a sleeper
 * that decides again and again without parking is spinning.
 */
class DrainParksTest {
  /** Decisions to sleep without a single park that count as spinning (a park takes one). */
  private static final int SPINNING = 1_000;

  private static EngineConfig config() {
    // flushAt 1: every message wants a cut at once; the interval (1 h) never comes into it.
    return new EngineConfig(16, 1 << 20, 1, 100, 500_000, Duration.ofHours(1),
        QueueFullPolicy.dropNewest(), RetryPolicy.builder().build(), (error, messages) -> { },
        Thread::new, null, true, false, false, Duration.ofSeconds(10), Duration.ofSeconds(10), null,
        SpoolDurability.BUFFERED, null, null);
  }

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

  /** Counts decisions to sleep deeply and parks. */
  private static final class CountingProbe implements SleepProbe {
    final AtomicInteger decided = new AtomicInteger();
    final AtomicInteger parked = new AtomicInteger();

    @Override
    public void deciding() {
      decided.incrementAndGet();
    }

    @Override
    public void parking() {
      parked.incrementAndGet();
    }
  }

  @Test
  void aDrainingConsumerWaitingForARequestSlotParksUntilTheSlotIsFreed() throws Exception {
    HeldTransport transport = new HeldTransport();
    EngineConfig cfg = config();
    Counters counters = new Counters();
    Tracker tracker = new Tracker();
    Reporter reporter = new Reporter(counters, cfg.errorHandler());
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    Dispatcher dispatcher = new Dispatcher(cfg, transport, counters, reporter, scheduler);
    RingBuffer<Slot> ring = RingBuffer.createMultiProducer(Slot::new, 16, new YieldingWaitStrategy());
    Consumer consumer = new Consumer(cfg, ring, dispatcher, tracker, counters, reporter, null);
    dispatcher.onPermitReleased(consumer::nudgeIfDeep); // as Engine wires it
    Thread t = new Thread(consumer, "test-consumer");
    t.start();
    try {
      publish(ring, counters, consumer, "First");
      awaitCondition(() -> transport.sent.size() == 1); // in flight: holds the only slot
      publish(ring, counters, consumer, "Second"); // wants a cut, finds no slot
      awaitCondition(() -> counters.consumed.get() == 2);
      CountingProbe probe = new CountingProbe();
      consumer.sleepProbe(probe);
      consumer.drain(); // as close() does: "Second" still waits for the slot
      awaitCondition(() -> probe.parked.get() > 0 || probe.decided.get() > SPINNING);
      assertThat(probe.parked.get()).as("the draining consumer parked (decided to sleep %d times)",
          probe.decided.get()).isPositive();
      assertThat(transport.sent).hasSize(1);

      transport.futures.get(0).complete(SendResult.delivered(200)); // frees the slot: wakes it
      awaitCondition(() -> transport.sent.size() == 2);
      assertThat(((Track) transport.sent.get(1).messages().get(0)).event()).isEqualTo("Second");
      transport.completeAll();
      t.join(TimeUnit.SECONDS.toMillis(30)); // the drain ends: the ring is empty, nothing is held
      assertThat(t.isAlive()).as("the drained consumer stopped").isFalse();
    } finally {
      transport.completeAll();
      consumer.halt();
      t.join(TimeUnit.SECONDS.toMillis(30));
      scheduler.shutdownNow();
    }
  }

  @Test
  void aDrainingSpoolReaderWaitingForItsBatchParksUntilTheBatchFinishes() throws Exception {
    HeldTransport transport = new HeldTransport();
    SpoolReaderWakeUpTest.ListSpool spool = new SpoolReaderWakeUpTest.ListSpool();
    EngineConfig cfg = config();
    Counters counters = new Counters();
    Reporter reporter = new Reporter(counters, cfg.errorHandler());
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    Dispatcher dispatcher = new Dispatcher(cfg, transport, counters, reporter, scheduler);
    SpoolSender[] senderRef = new SpoolSender[1];
    Journal journal = new Journal(spool, counters, () -> senderRef[0].wakeIfDeep());
    SpoolSender sender = new SpoolSender(cfg, spool, journal, dispatcher, counters, reporter);
    senderRef[0] = sender;
    dispatcher.onPermitReleased(sender::wakeIfDeep); // as Engine wires it
    Thread t = new Thread(sender, "test-spool-reader");
    t.start();
    try {
      assertThat(journal.appendOwn(Track.builder("First").userId("u").build())).isEqualTo(1);
      awaitCondition(() -> transport.sent.size() == 1); // cut and in flight: the drain waits for it
      CountingProbe probe = new CountingProbe();
      sender.sleepProbe(probe);
      sender.drain();
      awaitCondition(() -> probe.parked.get() > 0 || probe.decided.get() > SPINNING);
      assertThat(probe.parked.get()).as("the draining spool reader parked (decided to sleep %d times)",
          probe.decided.get()).isPositive();
      assertThat(sender.done()).isZero();

      transport.futures.get(0).complete(SendResult.delivered(200)); // finishes the batch: wakes it
      assertThat(sender.await(1, System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isTrue();
      t.join(TimeUnit.SECONDS.toMillis(30)); // the drain ends: everything journaled is done
      assertThat(t.isAlive()).as("the drained spool reader stopped").isFalse();
      assertThat(spool.acknowledged).isZero();
    } finally {
      transport.completeAll();
      sender.halt();
      t.join(TimeUnit.SECONDS.toMillis(30));
      scheduler.shutdownNow();
    }
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
}
