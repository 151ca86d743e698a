package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Track;
import dev.beacon.spi.Spool;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** {@link Journal#awaitSpace}: a caller waiting for room on a full spool sleeps until room is freed. */
class JournalSpaceTest {
  /** A spool whose backlog the test sets, and whose appends fail on request. */
  private static final class FakeSpool implements Spool {
    volatile long pending;
    volatile boolean failing;
    /** When set, the next {@code pendingBytes()} answers 0 once (room freed, then taken again). */
    final AtomicBoolean roomOnce = new AtomicBoolean();

    @Override
    public void append(byte[] bytes, int offset, int length) throws IOException {
      if (failing) {
        throw new IOException("No space left on device (simulated)");
      }
      pending += length;
    }

    @Override
    public void commit() {}

    @Override
    public boolean read(RecordHandler handler) {
      return false;
    }

    @Override
    public void acknowledge(long position) {}

    @Override
    public long pendingBytes() {
      return roomOnce.getAndSet(false) ? 0 : pending;
    }

    @Override
    public long maxBytes() {
      return 1000;
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
      return !failing;
    }

    @Override
    public void close() {}
  }

  @Test
  void aDegradedJournalDoesNotEndTheWaitWhileTheSpoolIsStillFull() throws Exception {
    FakeSpool spool = new FakeSpool();
    Journal journal = new Journal(spool, new Counters(), () -> {});
    spool.failing = true;
    assertThat(journal.appendOwn(Track.builder("E").userId("u").build())).isEqualTo(Journal.UNAVAILABLE);
    assertThat(journal.degraded()).isTrue();
    spool.pending = spool.maxBytes(); // full: messages kept in memory still count against it

    AtomicBoolean room = new AtomicBoolean();
    Thread waiter = new Thread(() -> room.set(journal.awaitSpace(100, System.nanoTime() + 600_000_000_000L, () -> false)));
    waiter.start();
    // It sleeps (parked on the journal) instead of returning at once and spinning in the caller's loop.
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (LockSupport.getBlocker(waiter) != journal && waiter.isAlive()) {
      assertThat(System.nanoTime() - deadline).as("the waiter parks").isNegative();
      Thread.sleep(5);
    }
    assertThat(waiter.isAlive()).as("still waiting for room on the degraded, full spool").isTrue();

    spool.pending = 0; // an acknowledgement
    journal.spaceFreed();
    waiter.join(60_000);
    assertThat(waiter.isAlive()).isFalse();
    assertThat(room.get()).isTrue();
  }

  /**
   * Issue 20: a degraded spool was tried again only when a message came through the ring, so a
   * spool degraded by a full disk stayed degraded (and the gateway's {@code /ready} 503) for as
   * long as no traffic came. The spool reader's acknowledgements free space: each one tries the
   * spool again at once, even within the second between two tries.
   */
  @Test
  void anAcknowledgementTriesADegradedSpoolAgainAtOnce() {
    FakeSpool spool = new FakeSpool();
    Counters counters = new Counters();
    Journal journal = new Journal(spool, counters, () -> {});
    spool.failing = true;
    assertThat(journal.appendOwn(Track.builder("E").userId("u").build())).isEqualTo(Journal.UNAVAILABLE);
    assertThat(journal.degraded()).isTrue();
    journal.acknowledged(); // still full: stays degraded
    assertThat(journal.degraded()).isTrue();

    spool.failing = false; // the acknowledged files were deleted
    journal.acknowledged();
    assertThat(journal.degraded()).isFalse();
    assertThat(counters.spoolDegraded).isFalse();
    assertThat(journal.appendOwn(Track.builder("E").userId("u").build())).isEqualTo(1);
  }

  /**
   * Issue 20: without traffic and without acknowledgements (space freed by someone else), the
   * journal's periodic probe on the engine's scheduler finds the spool writable again.
   */
  @Test
  void aDegradedSpoolRecoversWithoutAnyAppendOnceItIsWritableAgain() throws Exception {
    FakeSpool spool = new FakeSpool();
    Counters counters = new Counters();
    java.util.concurrent.ScheduledThreadPoolExecutor scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
    scheduler.setRemoveOnCancelPolicy(true);
    try {
      Journal journal = new Journal(spool, counters, () -> {}, scheduler);
      spool.failing = true;
      assertThat(journal.appendOwn(Track.builder("E").userId("u").build())).isEqualTo(Journal.UNAVAILABLE);
      assertThat(counters.spoolDegraded).isTrue();
      assertThat(scheduler.getQueue()).as("the probe is scheduled while degraded").hasSize(1);

      spool.failing = false; // no append, no acknowledgement from here on
      DeepSleepWakeUpTest.awaitCondition(() -> !counters.spoolDegraded);
      assertThat(journal.degraded()).isFalse();
      DeepSleepWakeUpTest.awaitCondition(() -> scheduler.getQueue().isEmpty()); // the probe ends with it
      assertThat(journal.appendOwn(Track.builder("E").userId("u").build())).isEqualTo(1);
      journal.close();
    } finally {
      scheduler.shutdownNow();
    }
  }

  /**
   * A waiter woken by room that another caller takes before it looks again must not be told
   * "no room": it returned false, and the engine dropped the call as {@code SPOOL_FULL} long before
   * its block timeout (seen once in {@code SpoolUnderLoadTest} with four producers on a full
   * spool). It answers "try again" and the caller's loop races for the room.
   */
  @Test
  void roomTakenByAnotherCallerAfterTheWakeUpIsNotTheEndOfTheWait() {
    FakeSpool spool = new FakeSpool();
    Journal journal = new Journal(spool, new Counters(), () -> {});
    spool.pending = spool.maxBytes(); // full
    spool.roomOnce.set(true); // the waiter sees room once, then it is gone again
    assertThat(journal.awaitSpace(100, System.nanoTime() + 600_000_000_000L, () -> false))
        .as("woken by room: the caller tries again, its deadline far away").isTrue();
  }
}
