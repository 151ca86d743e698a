package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Message;
import dev.beacon.Track;
import dev.beacon.spi.Spool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

  /**
   * A spool whose commits wait at a gate (a slow or stalled device) and are counted: each commit
   * takes a permit of {@link #syncs}; {@link #open()} lets every later one through.
   */
  private static final class GatedSpool implements Spool {
    final Semaphore syncs = new Semaphore(0);
    final AtomicInteger commits = new AtomicInteger();
    /** The records appended when each commit started (what it covers). */
    final List<Long> covered = new CopyOnWriteArrayList<>();
    final AtomicLong appended = new AtomicLong();
    volatile long pending;

    void open() {
      syncs.release(1_000_000);
    }

    @Override
    public void append(byte[] bytes, int offset, int length) {
      pending += length;
      appended.incrementAndGet();
    }

    @Override
    public void commit() throws java.io.IOException {
      covered.add(appended.get());
      commits.incrementAndGet();
      try {
        syncs.acquire();
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
    spool.open();
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
    spool.open();
    // The consumer's sync covered the record: it must wake the caller (a missed signal leaves it
    // waiting, and this get times out), and the sync thread need not sync again.
    assertThat(durable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).as("woken by the sync that covered it").isTrue();
    consumer.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
    assertThat(spool.commits.get()).isEqualTo(1);
  }

  @Test
  void aCallerWaitingForASyncIsNotShownAsWaitingForSpoolRoom() throws Exception {
    // Tests and thread dumps tell a wait for room (park blocker: the journal) from a wait for a
    // sync; SpoolFullPolicyTest once took the second for the first.
    syncThread.start();
    long record = journal.appendOwn(event("own"));
    CompletableFuture<Boolean> durable = new CompletableFuture<>();
    long farAway = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
    Thread caller = new Thread(() -> durable.complete(journal.awaitDurable(record, farAway)), "test-caller");
    caller.start();
    // Parked for its sync (the gate holds the sync), not on a lock on its way there.
    await(() -> parkedInJournal(caller));
    Object blocker = java.util.concurrent.locks.LockSupport.getBlocker(caller);
    assertThat(blocker).isNotSameAs(journal);
    assertThat(String.valueOf(blocker)).contains("OS_CRASH sync");
    spool.open();
    assertThat(durable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).isTrue();
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

  @Test
  void aCallerWhoseRecordWasAppendedDuringASyncIsReleasedByTheNextSync() throws Exception {
    syncThread.start();
    long first = journal.appendOwn(event("first"));
    CompletableFuture<Boolean> firstDurable = waitFor(first);
    await(() -> spool.commits.get() == 1); // the first sync runs, held by the device
    // A record appended while that sync runs: the sync does not cover it.
    long second = journal.appendOwn(event("second"));
    CompletableFuture<Boolean> secondDurable = waitFor(second);
    await(() -> waiting(2));
    spool.syncs.release(); // the first sync ends
    assertThat(firstDurable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).isTrue();
    assertThat(secondDurable).isNotDone();
    // The very next sync covers the second record, and releases its caller.
    await(() -> spool.commits.get() == 2);
    spool.syncs.release();
    assertThat(secondDurable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).as("released by the next sync").isTrue();
    assertThat(spool.covered).containsExactly(1L, 2L);
  }

  @Test
  void aSyncWaitsForTheCallersThePreviousSyncReleasedAndCoversThemAll() throws Exception {
    // Bounded by the test's own deadline only, so that what is gathered does not depend on timing.
    journal.gatherBoundNanos(WAIT_NANOS);
    // Three producers' records, then their waits: one sync covers the three and releases them.
    long[] records = {journal.appendOwn(event("a")), journal.appendOwn(event("b")), journal.appendOwn(event("c"))};
    List<CompletableFuture<Boolean>> first = new ArrayList<>();
    for (long r : records) {
      first.add(waitFor(r));
    }
    await(() -> waiting(3));
    syncThread.start();
    spool.syncs.release();
    for (CompletableFuture<Boolean> f : first) {
      assertThat(f.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).isTrue();
    }
    // They come back one after the other. Without gathering, the next sync would start for the
    // first of them and the other two would need another sync (four producers made 1.9 records
    // per sync); it waits until all three wait again.
    spool.open();
    List<CompletableFuture<Boolean>> second = new ArrayList<>();
    for (String name : List.of("a again", "b again", "c again")) {
      second.add(waitFor(journal.appendOwn(event(name))));
    }
    for (CompletableFuture<Boolean> f : second) {
      assertThat(f.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).isTrue();
    }
    assertThat(spool.covered).as("records covered by each sync").containsExactly(3L, 6L);
  }

  @Test
  void aSyncWaitsNoLongerThanItsBoundForACallerWhoDoesNotComeBack() throws Exception {
    // One sync covers two callers' records and releases both...
    long a = journal.appendOwn(event("a"));
    long b = journal.appendOwn(event("b"));
    CompletableFuture<Boolean> aDurable = waitFor(a);
    CompletableFuture<Boolean> bDurable = waitFor(b);
    await(() -> waiting(2));
    syncThread.start();
    spool.open();
    assertThat(aDurable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).isTrue();
    assertThat(bDurable.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).isTrue();
    // ...and only one comes back: its sync still runs, after at most the default bound.
    CompletableFuture<Boolean> again = waitFor(journal.appendOwn(event("a again")));
    assertThat(again.get(WAIT_NANOS, TimeUnit.NANOSECONDS)).as("synced after the bound").isTrue();
    assertThat(spool.covered).containsExactly(2L, 3L);
  }

  @Test
  void aRequestWakesTheParkedSyncThread() throws Exception {
    syncThread.start();
    spool.open();
    // With nothing to sync the sync thread parks on its condition.
    await(() -> syncThread.getState() == Thread.State.WAITING);
    long record = journal.appendOwn(event("late"));
    // Its deadline is far away: only the request's signal can get the sync done in time.
    assertThat(waitFor(record, System.nanoTime() + TimeUnit.HOURS.toNanos(1)).get(WAIT_NANOS, TimeUnit.NANOSECONDS))
        .isTrue();
  }

  private CompletableFuture<Boolean> waitFor(long record) {
    return waitFor(record, System.nanoTime() + WAIT_NANOS);
  }

  private CompletableFuture<Boolean> waitFor(long record, long deadline) {
    assertThat(record).isPositive();
    CompletableFuture<Boolean> durable = new CompletableFuture<>();
    Thread caller = new Thread(() -> durable.complete(journal.awaitDurable(record, deadline)), "test-caller-" + record);
    caller.setDaemon(true);
    caller.start();
    return durable;
  }

  /** True once {@code n} callers wait in awaitDurable. */
  private boolean parkedInJournal(Thread t) {
    Object b = java.util.concurrent.locks.LockSupport.getBlocker(t);
    return b == journal || (b != null && b.toString().contains("OS_CRASH sync"));
  }

  private static boolean waiting(int n) {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("test-caller-"))
        .filter(e -> e.getKey().getState() == Thread.State.TIMED_WAITING)
        .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("awaitDurable")))
        .count() >= n;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition not met in time").isNegative();
      Thread.sleep(5);
    }
  }
}
