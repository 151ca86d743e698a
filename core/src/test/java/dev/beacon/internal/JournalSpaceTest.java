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
      return pending;
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
}
