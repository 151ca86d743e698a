package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Message;
import dev.beacon.Track;
import dev.beacon.spi.Spool;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code OS_CRASH} sync hand-off ({@link Journal#awaitDurable}, {@link Journal#runSyncs}):
 * a caller is woken by whichever sync covers its record (issue 20, item 7), and returns at its
 * deadline when the device stalls (item 5).
 */
class JournalSyncTest {
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

  /** A spool whose commits wait at a gate (a slow or stalled device) and are counted. */
  private static final class GatedSpool implements Spool {
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicInteger commits = new AtomicInteger();
    volatile long pending;

    @Override
    public void append(byte[] bytes, int offset, int length) {
      pending += length;
    }

    @Override
    public void commit() throws java.io.IOException {
      commits.incrementAndGet();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.IOException("interrupted");
      }
    }

    @Override
    public boolean read(RecordHandler handler) {
      return false;
    }

    @Override
    public void acknowledge(long position) {}

    @Override
    public long pendingBytes() {
      return pending;
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

  private final GatedSpool spool = new GatedSpool();
  private final Journal journal = new Journal(spool, new Counters(), () -> {});
  private final Thread syncThread = new Thread(journal::runSyncs, "test-sync");

  @AfterEach
  void stop() throws InterruptedException {
    spool.gate.countDown();
    journal.close();
    syncThread.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    assertThat(syncThread.isAlive()).as("the sync thread stops on close").isFalse();
  }

  private static Message event(String name) {
    return Track.builder(name).userId("u").build();
  }

  @Test
  void aCallerCoveredByTheConsumersSyncIsWokenByIt() throws Exception {
    syncThread.start();
    // The consumer journals a ring-path message; a caller appends its own record after it.
    assertThat(journal.tryAppend(event("ring"))).isTrue();
    long record = journal.appendOwn(event("own"));
    assertThat(record).isEqualTo(2);
    // The consumer's commit syncs both records (held at the gate: a slow device).
    Thread consumer = new Thread(() -> journal.commit(0), "test-consumer");
    consumer.start();
    await(() -> spool.commits.get() == 1);
    // The caller waits for it: the sync thread is asked, and queues behind the consumer's sync.
    // Its own deadline is far away, so only a signal can end its wait within the test's.
    CompletableFuture<Boolean> durable = new CompletableFuture<>();
    long farAway = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
    Thread caller = new Thread(() -> durable.complete(journal.awaitDurable(record, farAway)), "test-caller");
    caller.start();
    await(() -> caller.getState() == Thread.State.TIMED_WAITING
        && Arrays.stream(caller.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitDurable")));
    spool.gate.countDown();
    // The consumer's sync covered the record: it must wake the caller (a missed signal leaves it
    // waiting, and this get times out), and the sync thread need not sync again.
    assertThat(durable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).as("woken by the sync that covered it").isTrue();
    consumer.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    assertThat(spool.commits.get()).isEqualTo(1);
  }

  @Test
  void aCallerWhoseSyncStallsReturnsAtItsDeadline() throws Exception {
    syncThread.start();
    long record = journal.appendOwn(event("own"));
    // The only caller (a single-threaded application): the device never finishes its sync.
    CompletableFuture<Boolean> durable = CompletableFuture.supplyAsync(
        () -> journal.awaitDurable(record, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100)));
    assertThat(durable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).as("not durable, but returned").isFalse();
    assertThat(spool.commits.get()).as("the sync ran on the sync thread").isEqualTo(1);
    assertThat(journal.degraded()).isFalse();
  }

  @Test
  void callersStopWaitingWhenTheJournalCloses() throws Exception {
    syncThread.start();
    long record = journal.appendOwn(event("own"));
    // A wait whose deadline has passed still asks for the sync; then the sync runs, held at the gate.
    assertThat(journal.awaitDurable(record, System.nanoTime())).isFalse();
    await(() -> spool.commits.get() == 1);
    CompletableFuture<Boolean> durable = CompletableFuture.supplyAsync(
        () -> journal.awaitDurable(record, System.nanoTime() + WAIT_NANOS));
    journal.close();
    assertThat(durable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).isFalse();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition not met in time").isNegative();
      Thread.sleep(5);
    }
  }
}
