package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.SpoolDurability;
import dev.beacon.Track;
import dev.beacon.internal.RawEntry;
import dev.beacon.testkit.CapturingTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 6: callers used to wait on one uninterruptible lock held across the mapped write,
 * so a page fault, a file roll or a stalled device under one append held every other caller. A
 * caller that cannot take the lock within a small budget now takes the ring path instead: the
 * consumer journals its message, which is delivered once and in its thread's call order, and the
 * call keeps its mode's guarantee ({@code PROCESS_CRASH}: journaled; {@code OS_CRASH}: a covering
 * sync, or counted at its {@code flushTimeout}). The
 * stall is the test seam {@link MemorySpool.Disk#stallPendingBytes}: the spool's
 * {@code pendingBytes()}, which an append calls under the lock, parks the named thread there.
 */
class AppendLockBypassTest {
  private final MemorySpool.Disk disk = new MemorySpool.Disk();

  private static Track event(String who, int i) {
    return Track.builder("Bypass").userId(who).properties(Map.of("who", who, "i", i)).build();
  }

  /** Makes the thread named {@code holder} stall under the append lock until {@code release}. */
  private void stallUnderTheLock(CountDownLatch entered, CountDownLatch release) {
    disk.stallPendingBytes = "holder";
    disk.onStall = () -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Test
  void processCrashCallersBehindAStalledAppendLeaveTheLockAndReturnOnceTheConsumerJournaledThem()
      throws Exception {
    CapturingTransport capture = new CapturingTransport();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    stallUnderTheLock(entered, release);
    try (Analytics a = builder(capture).spool(new MemorySpool(disk, 64L << 20)).flushAt(1000).build()) {
      Future<Boolean> holder = pool.submit(() -> {
        Thread.currentThread().setName("holder");
        return a.enqueue(event("holder", 0));
      });
      assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue(); // holds the lock now
      // Three callers while the lock stays held: each gives up the lock within its budget and
      // takes the ring (before the fix each queued on the lock, uncounted, until the holder ended).
      // One of them calls twice: its second call must not overtake its first.
      Future<Boolean> twice = pool.submit(() -> a.enqueue(event("twice", 0)) && a.enqueue(event("twice", 1)));
      Future<Boolean> once1 = pool.submit(() -> a.enqueue(event("once", 1)));
      Future<Boolean> once2 = pool.submit(() -> a.enqueue(event("once", 2)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (a.stats().spoolLockBypasses() < 3) {
        assertThat(System.nanoTime() - deadline).as("three calls took the ring").isNegative();
        Thread.sleep(5);
      }
      // PROCESS_CRASH's promise holds on the ring too: none returns before its message is
      // journaled, which the held lock prevents.
      assertThat(twice.isDone() || once1.isDone() || once2.isDone()).isFalse();
      synchronized (disk) {
        assertThat(disk.records).as("nothing journaled while the lock is held").isEmpty();
      }

      release.countDown();
      for (Future<Boolean> f : List.of(holder, twice, once1, once2)) {
        assertThat(f.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      }
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      long bypasses = a.stats().spoolLockBypasses();
      synchronized (disk) {
        assertThat(disk.records).hasSize(5);
        // The consumer journaled every message that took the ring, once the lock was free.
        assertThat(disk.appendThreads).filteredOn(t -> t.startsWith("beacon-")).hasSize((int) bypasses);
      }
      assertThat(capture.messages()).filteredOn(m -> "twice".equals(m.userId()))
          .extracting(m -> m.properties().get("i")).as("in call order").containsExactly(0, 1);
      assertThat(capture.messages()).extracting(m -> m.userId() + m.properties().get("i"))
          .as("each delivered once").containsExactlyInAnyOrder("holder0", "twice0", "twice1", "once1", "once2");
      assertThat(assertConserved(a).delivered()).isEqualTo(5);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  /**
   * The raw entry (the gateway's journal, {@code beacon import}) has its own append of the bytes as
   * they are: it keeps the same budget, and a raw message that took the ring is journaled by the
   * consumer and delivered once, as it came.
   */
  @Test
  void aRawMessageBehindAStalledAppendTakesTheRingAndIsDeliveredAsItCame() throws Exception {
    RawEntryTest.BytesTransport transport = new RawEntryTest.BytesTransport();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    stallUnderTheLock(entered, release);
    try (Analytics a = builder(transport).spool(new MemorySpool(disk, 64L << 20)).flushAt(1000).build()) {
      Future<Boolean> holder = pool.submit(() -> {
        Thread.currentThread().setName("holder");
        return a.enqueue(event("holder", 0));
      });
      assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      String json = RawEntryTest.sdkMessage("raw-1");
      Future<Boolean> raw = pool.submit(() -> RawEntry.offer(a, RawEntryTest.raw(json)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (a.stats().spoolLockBypasses() < 1) {
        assertThat(System.nanoTime() - deadline).as("the raw call took the ring").isNegative();
        Thread.sleep(5);
      }
      assertThat(raw.isDone()).as("not journaled while the lock is held").isFalse();

      release.countDown();
      assertThat(holder.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(raw.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      synchronized (disk) {
        assertThat(disk.records).hasSize(2);
        assertThat(disk.appendThreads).filteredOn(t -> t.startsWith("beacon-")).hasSize(1);
      }
      assertThat(transport.sent).extracting(b -> new String(b, StandardCharsets.UTF_8))
          .as("the raw message's bytes, once").containsOnlyOnce(json);
      assertThat(assertConserved(a).delivered()).isEqualTo(2);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void anOsCrashCallerBehindAnAppendThatNeverEndsReturnsAtItsFlushTimeoutCounted() throws Exception {
    CapturingTransport capture = new CapturingTransport();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    stallUnderTheLock(entered, release);
    try (Analytics a = builder(capture).spool(new MemorySpool(disk, 64L << 20))
        .spoolDurability(SpoolDurability.OS_CRASH).flushTimeout(Duration.ofMillis(200)).flushAt(1000).build()) {
      Future<Boolean> holder = pool.submit(() -> {
        Thread.currentThread().setName("holder");
        return a.enqueue(event("holder", 0));
      });
      assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      // The lock is never released while it waits: before the fix it waited on the lock for good.
      assertThat(pool.submit(() -> a.enqueue(event("other", 0))).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(holder.isDone()).as("the holder still stalls under the lock").isFalse();
      assertThat(a.stats().spoolLockBypasses()).isEqualTo(1);
      assertThat(a.stats().spoolSyncTimeouts()).as("returned without a sync: counted").isEqualTo(1);

      release.countDown();
      assertThat(holder.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).extracting(m -> m.userId()).containsExactlyInAnyOrder("holder", "other");
      assertConserved(a);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void anOsCrashCallerBehindAStalledAppendReturnsOnlyAfterASyncCoveringItsRecord() throws Exception {
    CapturingTransport capture = new CapturingTransport();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    stallUnderTheLock(entered, release);
    try (Analytics a = builder(capture).spool(new MemorySpool(disk, 64L << 20))
        .spoolDurability(SpoolDurability.OS_CRASH).flushTimeout(Duration.ofMinutes(2)).flushAt(1000).build()) {
      Future<Boolean> holder = pool.submit(() -> {
        Thread.currentThread().setName("holder");
        return a.enqueue(event("holder", 0));
      });
      assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      Future<Boolean> other = pool.submit(() -> a.enqueue(event("other", 0)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (a.stats().spoolLockBypasses() == 0) {
        assertThat(System.nanoTime() - deadline).as("the caller took the ring").isNegative();
        Thread.sleep(5);
      }
      // Its record cannot be journaled while the lock is held, so it cannot have had its sync:
      // with OS_CRASH it must not return yet (its flushTimeout is far away).
      assertThat(other.isDone()).isFalse();
      int commitsBefore = disk.commits.get();

      release.countDown();
      assertThat(other.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(holder.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(disk.commits.get()).as("a sync ran after the lock was free").isGreaterThan(commitsBefore);
      assertThat(a.stats().spoolSyncTimeouts()).as("both calls were covered by a sync").isZero();
      assertThat(a.stats().spoolLockBypasses()).isEqualTo(1);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).extracting(m -> m.userId()).containsExactlyInAnyOrder("holder", "other");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void anOsCrashCallerWhoseRingSyncFailsIsCountedNotClaimedDurable() throws Exception {
    CapturingTransport capture = new CapturingTransport();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    stallUnderTheLock(entered, release);
    try (Analytics a = builder(capture).spool(new MemorySpool(disk, 64L << 20))
        .spoolDurability(SpoolDurability.OS_CRASH).flushTimeout(Duration.ofMinutes(2)).flushAt(1000).build()) {
      Future<Boolean> holder = pool.submit(() -> {
        Thread.currentThread().setName("holder");
        return a.enqueue(event("holder", 0));
      });
      assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      Future<Boolean> other = pool.submit(() -> a.enqueue(event("other", 0)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (a.stats().spoolLockBypasses() == 0) {
        assertThat(System.nanoTime() - deadline).as("the caller took the ring").isNegative();
        Thread.sleep(5);
      }
      disk.failCommits = true; // the device cannot sync from now on
      release.countDown();
      assertThat(other.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(holder.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(a.stats().spoolSyncTimeouts()).as("neither call had a sync").isEqualTo(2);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).extracting(m -> m.userId()).containsExactlyInAnyOrder("holder", "other");
      assertConserved(a);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }
}
