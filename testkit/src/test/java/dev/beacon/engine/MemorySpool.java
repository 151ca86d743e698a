package dev.beacon.engine;

import dev.beacon.spi.Spool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A spool whose "disk" is a {@link Disk} object that outlives the spool, so a test can close a
 * client and open another on the same records, as after a restart. For engine tests only.
 */
final class MemorySpool implements Spool {
  /** What survives a restart: the records and the acknowledged position. */
  static final class Disk {
    final List<byte[]> records = new ArrayList<>();
    long acked = -1;
    volatile boolean failing;
    /** Name of a thread whose calls to {@code pendingBytes()} run {@link #onStall} first, or null. */
    volatile String stallPendingBytes;
    volatile Runnable onStall = () -> { };
    /** The name of the thread that made each append, in record order. */
    final List<String> appendThreads = new ArrayList<>();
    /** Commits made (successful or not). */
    final java.util.concurrent.atomic.AtomicInteger commits = new java.util.concurrent.atomic.AtomicInteger();
    /** When set, every commit waits for it (a slow device). */
    volatile java.util.concurrent.CountDownLatch commitGate;
    /** When true, commits fail (appends still work): a device that cannot sync. */
    volatile boolean failCommits;
  }

  private final Disk disk;
  private final long maxBytes;
  private final long recovered;
  private long next;
  private volatile boolean closed;

  MemorySpool(Disk disk, long maxBytes) {
    this.disk = disk;
    this.maxBytes = maxBytes;
    synchronized (disk) {
      this.next = disk.acked + 1;
      this.recovered = disk.records.size() - next;
    }
  }

  @Override
  public void append(byte[] bytes, int offset, int length) throws IOException {
    if (disk.failing) {
      throw new IOException("No space left on device (simulated)");
    }
    synchronized (disk) {
      if (pendingBytes() + length > maxBytes) {
        throw new IOException("spool full");
      }
      disk.records.add(Arrays.copyOfRange(bytes, offset, offset + length));
      disk.appendThreads.add(Thread.currentThread().getName());
    }
  }

  @Override
  public void commit() throws IOException {
    disk.commits.incrementAndGet();
    java.util.concurrent.CountDownLatch gate = disk.commitGate;
    if (gate != null) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    if (closed) {
      throw new IOException("spool closed"); // as a real spool does
    }
    if (disk.failing || disk.failCommits) {
      throw new IOException("No space left on device (simulated)");
    }
  }

  @Override
  public boolean read(RecordHandler handler) {
    byte[] r;
    long pos;
    synchronized (disk) {
      if (next >= disk.records.size()) {
        return false;
      }
      pos = next++;
      r = disk.records.get((int) pos);
    }
    handler.onRecord(pos, r, 0, r.length);
    return true;
  }

  @Override
  public void acknowledge(long position) {
    synchronized (disk) {
      disk.acked = Math.max(disk.acked, position);
    }
  }

  @Override
  public long pendingBytes() {
    String stall = disk.stallPendingBytes;
    if (stall != null && stall.equals(Thread.currentThread().getName())) {
      disk.onStall.run();
    }
    synchronized (disk) {
      long sum = 0;
      for (int i = (int) (disk.acked + 1); i < disk.records.size(); i++) {
        sum += disk.records.get(i).length;
      }
      return sum;
    }
  }

  @Override
  public long maxBytes() {
    return maxBytes;
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
    return recovered;
  }

  @Override
  public boolean writable() {
    return !disk.failing;
  }

  @Override
  public void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }
}
