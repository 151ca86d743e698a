package dev.beacon.internal;

import static dev.beacon.internal.DeepSleepWakeUpTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.SpoolDurability;
import dev.beacon.Track;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Spool;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, "make waiting one thing": the spool reader's deep sleep had a 1 s cap against a missed
 * wake-up, and two were missed (the second as in the consumer, {@link DeepSleepWakeUpTest}: a
 * request slot released as the reader falls asleep with a batch waiting for one). A batch that finished between the reader's
 * {@code acknowledgeFinished()} and its raising of {@code sleeping} found no sleeper to wake, and
 * the re-check before parking looked only at new commits: the batch was acknowledged up to 1 s
 * late, and a flush waited for it. The {@link SleepProbe} finishes the batch at exactly that
 * moment; the reader must then acknowledge it without parking.
 */
class SpoolReaderWakeUpTest {

  /** An in-memory spool: records in a list, read in order, the acknowledged position kept. */
  static final class ListSpool implements Spool {
    final List<byte[]> records = new CopyOnWriteArrayList<>();
    private int next;
    volatile long acknowledged = -1;

    @Override
    public void append(byte[] bytes, int offset, int length) {
      records.add(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    @Override
    public void commit() {}

    @Override
    public boolean read(RecordHandler handler) {
      if (next >= records.size()) {
        return false;
      }
      byte[] r = records.get(next);
      handler.onRecord(next++, r, 0, r.length);
      return true;
    }

    @Override
    public void acknowledge(long position) {
      acknowledged = position;
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public long maxBytes() {
      return 1 << 20;
    }

    @Override
    public long corruptRecords() {
      return 0;
    }

    @Override
    public long quarantinedFiles() {
      return 0;
    }

    @Override
    public long recoveredRecords() {
      return 0;
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void close() {}
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
  }

  @Test
  void aBatchFinishingAsTheReaderFallsAsleepIsAcknowledgedWithoutSleeping() throws Exception {
    HeldTransport transport = new HeldTransport();
    ListSpool spool = new ListSpool();
    EngineConfig cfg = new EngineConfig(16, 1 << 20, 1, 100, 500_000, Duration.ofHours(1),
        QueueFullPolicy.dropNewest(), RetryPolicy.builder().build(), (error, messages) -> { },
        Thread::new, null, true, false, false, Duration.ofSeconds(10), Duration.ofSeconds(10), null,
        SpoolDurability.BUFFERED, null, null);
    Counters counters = new Counters();
    Reporter reporter = new Reporter(counters, cfg.errorHandler());
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    Dispatcher dispatcher = new Dispatcher(cfg, transport, counters, reporter, scheduler);
    SpoolSender[] senderRef = new SpoolSender[1];
    Journal journal = new Journal(spool, counters, () -> senderRef[0].wakeIfDeep());
    SpoolSender sender = new SpoolSender(cfg, spool, journal, dispatcher, counters, reporter);
    senderRef[0] = sender;
    dispatcher.onPermitReleased(sender::wakeIfDeep); // as Engine wires it

    AtomicBoolean armed = new AtomicBoolean();
    AtomicBoolean finished = new AtomicBoolean();
    AtomicInteger parkedWithBatchToAcknowledge = new AtomicInteger();
    AtomicInteger raced = new AtomicInteger();
    sender.sleepProbe(new SleepProbe() {
      @Override
      public void deciding() {
        // The race window: acknowledgeFinished() found nothing finished, no flag is up yet.
        if (armed.compareAndSet(true, false)) {
          transport.futures.get(0).complete(SendResult.delivered(200));
          // The batch marks its ticket done (and calls wake(), which sees no sleeper), then
          // releases its slot (whose listener sees no deep sleeper).
          awaitCondition(dispatcher::hasFreeSlot);
          finished.set(true);
          raced.incrementAndGet();
        }
      }

      @Override
      public void parking() {
        if (finished.get() && sender.done() == 0) {
          parkedWithBatchToAcknowledge.incrementAndGet();
        }
      }
    });
    Thread t = new Thread(sender, "test-spool-reader");
    t.start();
    try {
      assertThat(journal.appendOwn(Track.builder("First").userId("u").build())).isEqualTo(1);
      awaitCondition(() -> transport.sent.size() == 1); // cut and in flight
      armed.set(true);
      sender.requestFlush(1); // as flush() does: wakes the reader, which finds nothing new and sleeps
      awaitCondition(() -> sender.done() == 1 || parkedWithBatchToAcknowledge.get() > 0);
      assertThat(raced.get()).as("the probe finished the batch in the race window").isEqualTo(1);
      assertThat(parkedWithBatchToAcknowledge.get())
          .as("the reader parked with a finished batch not acknowledged").isZero();
      assertThat(sender.await(1, System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isTrue();
      assertThat(spool.acknowledged).isZero();
    } finally {
      transport.futures.forEach(f -> f.complete(SendResult.delivered(200)));
      sender.halt();
      t.join(TimeUnit.SECONDS.toMillis(30));
      scheduler.shutdownNow();
    }
    assertThat(t.isAlive()).isFalse();
  }

  @Test
  void aSlotReleasedAsTheReaderFallsAsleepSendsTheWaitingBatchWithoutSleeping() throws Exception {
    HeldTransport transport = new HeldTransport();
    ListSpool spool = new ListSpool();
    // flushAt 1: every record wants a cut at once; the interval (1 h) never comes into it.
    EngineConfig cfg = new EngineConfig(16, 1 << 20, 1, 100, 500_000, Duration.ofHours(1),
        QueueFullPolicy.dropNewest(), RetryPolicy.builder().build(), (error, messages) -> { },
        Thread::new, null, true, false, false, Duration.ofSeconds(10), Duration.ofSeconds(10), null,
        SpoolDurability.BUFFERED, null, null);
    Counters counters = new Counters();
    Reporter reporter = new Reporter(counters, cfg.errorHandler());
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    Dispatcher dispatcher = new Dispatcher(cfg, transport, counters, reporter, scheduler);
    SpoolSender[] senderRef = new SpoolSender[1];
    Journal journal = new Journal(spool, counters, () -> senderRef[0].wakeIfDeep());
    SpoolSender sender = new SpoolSender(cfg, spool, journal, dispatcher, counters, reporter);
    senderRef[0] = sender;
    dispatcher.onPermitReleased(sender::wakeIfDeep); // as Engine wires it

    // The only request slot is held elsewhere (as by a sync-mode call): no ticket will finish.
    assertThat(dispatcher.tryAcquire()).isTrue();
    AtomicBoolean released = new AtomicBoolean();
    AtomicInteger parkedWithWorkReady = new AtomicInteger();
    AtomicInteger raced = new AtomicInteger();
    sender.sleepProbe(new SleepProbe() {
      @Override
      public void deciding() {
        // The race window: the record waits in the batch, its tryAcquire failed, no flag is up yet.
        if (sender.held() == 1 && !released.get()) {
          dispatcher.releasePermit(); // its listener sees no deep sleeper
          released.set(true);
          raced.incrementAndGet();
        }
      }

      @Override
      public void parking() {
        // Once cut, the batch holds the slot (its attempt is never completed here).
        if (released.get() && transport.sent.isEmpty() && dispatcher.hasFreeSlot()) {
          parkedWithWorkReady.incrementAndGet();
        }
      }
    });
    Thread t = new Thread(sender, "test-spool-reader");
    t.start();
    try {
      assertThat(journal.appendOwn(Track.builder("Waiting").userId("u").build())).isEqualTo(1);
      awaitCondition(() -> transport.sent.size() == 1 || parkedWithWorkReady.get() > 0);
      assertThat(raced.get()).as("the probe released the slot in the race window").isEqualTo(1);
      assertThat(parkedWithWorkReady.get())
          .as("the reader parked with a batch waiting and a request slot free").isZero();
      awaitCondition(() -> transport.sent.size() == 1);
    } finally {
      transport.futures.forEach(f -> f.complete(SendResult.delivered(200)));
      sender.halt();
      t.join(TimeUnit.SECONDS.toMillis(30));
      scheduler.shutdownNow();
    }
    assertThat(t.isAlive()).isFalse();
  }
}
