package dev.beacon.spool.chronicle;

import dev.beacon.SpoolDurability;
import dev.beacon.spi.Spool;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.NavigableSet;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Spool} on one Chronicle Queue. Not API: opened through {@link ChronicleSpoolProvider}.
 *
 * <p>Record format: each Chronicle document holds {@code int length, int crc32c, payload}. A
 * document whose length or checksum does not match its payload is skipped and counted.
 *
 * <p>Positions are Chronicle indexes (cycle and sequence), which increase. The acknowledged one is
 * kept in {@link AckFile}, never in a Chronicle named tailer (which moves on read).
 *
 * <p>Threads (per {@link Spool}): appends come from any thread, one at a time (the engine orders
 * them under a lock, which also publishes this class's append-side fields from one writer to the
 * next), so the one Chronicle appender has its single-thread check turned off; a commit may run
 * on another thread during appends and touches only what appends publish through volatile fields
 * and a concurrent queue; one other thread reads and acknowledges. The byte counters each have
 * one writer at a time and are published through volatile fields.
 */
final class ChronicleSpool implements Spool {
  private static final Logger LOG = LoggerFactory.getLogger(ChronicleSpool.class);
  /** {@code int length, int crc32c} before each payload. */
  static final int RECORD_HEADER = 8;

  /** Tuning, fixed in production and changed only by tests. */
  static final class Settings {
    /**
     * Five-minute cycles, rolled early by {@link RollClock} once a file holds
     * {@link #rollBytes(long)}: a file is deleted as soon as the acknowledged position passes it,
     * so the disk holds the backlog plus less than one file of delivered records. Up to 2^30
     * records a cycle.
     */
    static final Settings DEFAULT = new Settings(RollCycles.FIVE_MINUTELY, 16L << 20, 500,
        null, DiskSpace.FILE_STORE, 4L << 20);

    final RollCycle rollCycle;
    /** Chronicle's mapping unit; a record must stay well below a quarter of it. */
    final long blockSize;
    /**
     * How long an appender waits on a header left "being written" (a torn write after kill -9,
     * or a lock held by a dead process) before it recovers it. No other writer can exist (the
     * directory lock), so a short wait is safe; Chronicle's default is 10 s.
     */
    final long recoveryTimeoutMs;
    /** Null for the wall clock. */
    final TimeProvider timeProvider;
    final DiskSpace diskSpace;
    /** Free space kept beyond two blocks. */
    final long extraMarginBytes;

    Settings(RollCycle rollCycle, long blockSize, long recoveryTimeoutMs, TimeProvider timeProvider,
        DiskSpace diskSpace, long extraMarginBytes) {
      this(rollCycle, blockSize, recoveryTimeoutMs, timeProvider, diskSpace, extraMarginBytes,
          PageWarmer.DEFAULT_AHEAD);
    }

    Settings(RollCycle rollCycle, long blockSize, long recoveryTimeoutMs, TimeProvider timeProvider,
        DiskSpace diskSpace, long extraMarginBytes, long warmAheadBytes) {
      this.rollCycle = rollCycle;
      this.blockSize = blockSize;
      this.recoveryTimeoutMs = recoveryTimeoutMs;
      this.timeProvider = timeProvider;
      this.diskSpace = diskSpace;
      this.extraMarginBytes = extraMarginBytes;
      this.warmAheadBytes = warmAheadBytes;
    }

    /** How far {@link PageWarmer} reads ahead of the appender; 0 turns it off. */
    final long warmAheadBytes;

    /** A copy reading {@code bytes} ahead of the appender (0: no {@link PageWarmer}). */
    Settings withWarmAhead(long bytes) {
      return new Settings(rollCycle, blockSize, recoveryTimeoutMs, timeProvider, diskSpace, extraMarginBytes, bytes);
    }

    long marginBytes() {
      return 2 * blockSize + extraMarginBytes;
    }
  }

  /** The smallest and largest share of {@code maxBytes} one cycle file holds before it rolls. */
  static final long MIN_ROLL_BYTES = 64L << 10;
  static final long MAX_ROLL_BYTES = 64L << 20;

  /**
   * What one cycle file holds before the spool rolls to a new one: a quarter of {@code maxBytes},
   * between {@link #MIN_ROLL_BYTES} and {@link #MAX_ROLL_BYTES}. A file is deleted once the
   * acknowledged position passes it, so at most about this much delivered journal stays on disk
   * beside the backlog.
   */
  static long rollBytes(long maxBytes) {
    return Math.max(MIN_ROLL_BYTES, Math.min(maxBytes / 4, MAX_ROLL_BYTES));
  }

  /** Re-check free space after this many bytes appended, far below the margin. */
  private static final long SPACE_CHECK_BYTES = 1L << 20;
  /** ... or after this long, in case another process fills the disk. */
  private static final long SPACE_CHECK_NANOS = 100_000_000L;

  private final Path directory;
  private final long maxBytes;
  private final SpoolDurability durability;
  private final Settings settings;
  private final DirectoryLock lock;
  private final SingleChronicleQueue queue;
  private final AckFile ackFile;
  private final DateTimeFormatter cycleNames;
  private final long recoveredRecords;
  private final long quarantined;
  private final RollClock clock;
  private final long rollBytes;

  // Append thread.
  private ExcerptAppender appender;
  private final CRC32C appendCrc = new CRC32C();
  private long bytesSinceSpaceCheck = Long.MAX_VALUE / 2;
  private long lastSpaceCheckNanos;
  private int appendCycle = Integer.MIN_VALUE;
  /** The cycle {@link #cycleBytes} counts, and the record bytes appended to it by this instance. */
  private int bytesCycle = Integer.MIN_VALUE;
  private long cycleBytes;
  /** The cycle file the last append wrote to: what a commit forces. */
  private volatile java.io.File appendFile;
  /** Cycle files appended to since the last commit began, besides {@link #appendFile}. */
  private final java.util.concurrent.ConcurrentLinkedQueue<java.io.File> filesToSync =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Touches pages ahead of the appender; null when the settings turn it off. */
  private final PageWarmer warmer;
  /** Payload bytes appended, including those pending at open. Written by the append thread. */
  private volatile long appendedBytes;

  // Read thread.
  private ExcerptTailer tailer;
  private final long firstPendingIndex;
  private final long ackAtOpen;
  private final CRC32C readCrc = new CRC32C();
  private byte[] readBuffer = new byte[8192];
  private final PositionQueue unacked = new PositionQueue();
  /** Payload bytes read (or skipped) since open, cumulative; the acknowledged share is below. */
  private long readBytes;
  private long ackedIndex;
  private String keepFromName;
  /** Written by the read thread. */
  private volatile long ackedBytes;
  private volatile long corrupt;

  private volatile boolean writable = true;
  private volatile boolean closed;

  private ChronicleSpool(Path directory, long maxBytes, SpoolDurability durability, Settings settings,
      DirectoryLock lock, SingleChronicleQueue queue, RollClock clock, AckFile ackFile, long ackIndex,
      Scan scan, long quarantined) {
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.durability = durability;
    this.settings = settings;
    this.lock = lock;
    this.queue = queue;
    this.clock = clock;
    this.rollBytes = rollBytes(maxBytes);
    this.ackFile = ackFile;
    this.cycleNames = DateTimeFormatter.ofPattern(settings.rollCycle.format()).withZone(ZoneOffset.UTC);
    this.ackAtOpen = ackIndex;
    this.ackedIndex = ackIndex;
    this.firstPendingIndex = scan.firstIndex;
    this.recoveredRecords = scan.records;
    this.appendedBytes = scan.bytes;
    this.corrupt = scan.unreadableCycles;
    this.quarantined = quarantined;
    // Not with OS_CRASH: every sync would write the touched pages ahead too, and after it the
    // appender's next write to each of them faults again; its callers wait for a sync anyway.
    this.warmer = settings.warmAheadBytes > 0 && durability != SpoolDurability.OS_CRASH
        ? new PageWarmer(settings.warmAheadBytes) : null;
  }

  /**
   * Opens the spool: takes the directory lock, moves unreadable files aside, opens the queue
   * (once: the first open costs most of a second), and counts what is pending after the
   * acknowledged position.
   */
  static ChronicleSpool open(Path directory, long maxBytes, SpoolDurability durability, Settings settings)
      throws IOException {
    return open(directory, maxBytes, durability, settings, r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens the spool, starting its {@link PageWarmer} (if any) with {@code threads}; a thread the
   * factory leaves with a default name is named {@code beacon-spool-warmer}.
   */
  static ChronicleSpool open(Path directory, long maxBytes, SpoolDurability durability, Settings settings,
      java.util.concurrent.ThreadFactory threads) throws IOException {
    ChronicleProperties.apply();
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new IOException("Spool directory " + directory + " cannot be created (" + e + ")", e);
    }
    DirectoryLock lock = DirectoryLock.acquire(directory);
    AckFile ackFile = null;
    SingleChronicleQueue queue = null;
    try {
      checkWritable(directory);
      ackFile = AckFile.open(directory, durability == SpoolDurability.OS_CRASH);
      long quarantined = 0;
      for (Path file : JournalFiles.cycleFiles(directory)) {
        if (!JournalFiles.looksReadable(file) && JournalFiles.quarantine(directory, file)) {
          quarantined++;
          LOG.warn("Spool file {} is unreadable; moved to {}/ (its records are lost)", file,
              JournalFiles.QUARANTINE);
        }
      }
      RollClock clock = new RollClock(
          settings.timeProvider != null ? settings.timeProvider : SystemTimeProvider.INSTANCE,
          settings.rollCycle.lengthInMillis());
      queue = build(directory, durability, settings, clock);
      long ack = AckFile.read(directory);
      Scan scan = scan(queue, ack);
      int lastCycle = queue.lastCycle();
      if (lastCycle >= 0) {
        // This run appends to a file of its own: how much the last one holds is not counted.
        clock.rollAfter(lastCycle);
      }
      ChronicleSpool spool = new ChronicleSpool(directory, maxBytes, durability, settings, lock,
          queue, clock, ackFile, ack, scan, quarantined);
      if (ack != AckFile.NONE) {
        spool.deleteFilesBefore(ack);
      }
      if (spool.warmer != null) {
        spool.warmer.start(threads, "beacon-spool-warmer");
      }
      return spool;
    } catch (IOException | RuntimeException | Error e) {
      if (queue != null) {
        queue.close();
      }
      if (ackFile != null) {
        ackFile.close();
      }
      lock.close();
      if (e instanceof IOException) {
        throw (IOException) e;
      }
      throw new IOException("Spool directory " + directory + " cannot be opened: " + e, e);
    }
  }

  private static void checkWritable(Path directory) throws IOException {
    // Files.isWritable says yes to root on a read-only mount: try a real write.
    Path probe = directory.resolve(".beacon-probe");
    try {
      Files.write(probe, new byte[] {1});
      Files.delete(probe);
    } catch (IOException e) {
      throw new IOException("Spool directory " + directory + " is not writable (" + e + ")", e);
    }
  }

  private static SingleChronicleQueue build(Path directory, SpoolDurability durability, Settings settings,
      RollClock clock) {
    SingleChronicleQueueBuilder b = SingleChronicleQueueBuilder.binary(directory)
        .rollCycle(settings.rollCycle)
        .blockSize(settings.blockSize)
        .timeoutMS(settings.recoveryTimeoutMs)
        // SYNC makes appender.sync() (and the release of a mapped chunk) msync with MS_SYNC.
        .syncMode(durability == SpoolDurability.OS_CRASH ? SyncMode.SYNC : SyncMode.NONE)
        .timeProvider(clock);
    return b.build();
  }

  /** What open found after the acknowledged position. */
  private static final class Scan {
    long firstIndex = Long.MIN_VALUE;
    long records;
    long bytes;
    long unreadableCycles;
  }

  private static Scan scan(SingleChronicleQueue queue, long ack) {
    Scan scan = new Scan();
    try (ExcerptTailer t = queue.createTailer()) {
      positionAfter(t, ack);
      while (true) {
        try (DocumentContext dc = t.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          long index = dc.index();
          if (ack != AckFile.NONE && index <= ack) {
            continue;
          }
          if (scan.firstIndex == Long.MIN_VALUE) {
            scan.firstIndex = index;
          }
          scan.records++;
          scan.bytes += Math.max(0, dc.wire().bytes().readRemaining() - RECORD_HEADER);
        } catch (RuntimeException e) {
          scan.unreadableCycles++;
          if (!skipCycle(queue, t)) {
            break;
          }
        }
      }
    }
    return scan;
  }

  /** Leaves the tailer where the next read returns the first record after {@code ack}. */
  private static void positionAfter(ExcerptTailer t, long ack) {
    t.toStart();
    if (ack == AckFile.NONE) {
      return;
    }
    try {
      if (t.moveToIndex(ack)) {
        try (DocumentContext dc = t.readingDocument()) {
          // skip the acknowledged record itself
        }
        return;
      }
    } catch (RuntimeException e) {
      // its file is gone or damaged: read from the start and skip what is at or before ack
    }
    t.toStart();
  }

  /** Moves a tailer stuck on a damaged cycle to the next cycle; false when there is none. */
  private static boolean skipCycle(SingleChronicleQueue queue, ExcerptTailer t) {
    int cycle = t.cycle();
    NavigableSet<Long> later = queue.listCyclesBetween(cycle + 1, Math.max(cycle + 1, queue.lastCycle()));
    for (Long next : later) {
      try {
        if (t.moveToCycle(next.intValue())) {
          return true;
        }
      } catch (RuntimeException e) {
        // try the next one
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Append thread

  @Override
  public void append(byte[] bytes, int offset, int length) throws IOException {
    if (length < 1 || offset < 0 || offset + length > bytes.length) {
      throw new IllegalArgumentException("bad record bounds: offset " + offset + ", length " + length);
    }
    if (closed) {
      throw new IOException("Spool " + directory + " is closed");
    }
    long pending = appendedBytes - ackedBytes;
    if (pending + length > maxBytes) {
      throw new IOException("Spool " + directory + " is full: " + pending + " bytes pending + "
          + length + " > maxBytes " + maxBytes);
    }
    if (length > settings.blockSize / 4 - RECORD_HEADER) {
      throw new IOException("Record of " + length + " bytes is too large for the spool");
    }
    checkSpaceBeforeAppend(length + RECORD_HEADER);
    appendCrc.reset();
    appendCrc.update(bytes, offset, length);
    int crc = (int) appendCrc.getValue();
    try {
      if (appender == null) {
        appender = queue.createAppender();
        // Callers append on their own threads, one at a time under the engine's lock.
        appender.singleThreadedCheckDisabled(true);
      }
      try (DocumentContext dc = appender.writingDocument()) {
        try {
          Bytes<?> out = dc.wire().bytes();
          out.writeInt(length);
          out.writeInt(crc);
          out.write(bytes, offset, length);
          if (warmer != null) {
            // The file rolls once it holds rollBytes: pages past that would only take disk space.
            long end = out.writePosition();
            long left = rollBytes - cycleBytes - length - RECORD_HEADER;
            warmer.appended(out.bytesStore(), end, left > 0 ? end + left : end);
          }
        } catch (RuntimeException e) {
          dc.rollbackOnClose();
          throw e;
        }
      }
    } catch (RuntimeException e) {
      writable = false;
      throw new IOException("Spool " + directory + " append failed: " + e, e);
    }
    bytesSinceSpaceCheck += length + RECORD_HEADER;
    appendedBytes += length; // one writer at a time
    int cycle = appender.cycle();
    if (cycle != bytesCycle) {
      bytesCycle = cycle;
      cycleBytes = 0;
    }
    cycleBytes += length + RECORD_HEADER;
    if (cycleBytes >= rollBytes) {
      clock.rollAfter(cycle); // the next append opens a new file; this one can go once acknowledged
    }
    if (durability == SpoolDurability.OS_CRASH) {
      if (cycle != appendCycle) {
        appendCycle = cycle;
        java.io.File file = appender.currentFile();
        if (file != null) {
          java.io.File previous = appendFile;
          if (previous != null) {
            filesToSync.add(previous); // the rest of the previous cycle is forced by the next commit
          }
          appendFile = file;
        }
      }
    }
  }

  private void checkSpaceBeforeAppend(int recordBytes) throws IOException {
    long now = System.nanoTime();
    if (writable && bytesSinceSpaceCheck + recordBytes < SPACE_CHECK_BYTES
        && now - lastSpaceCheckNanos < SPACE_CHECK_NANOS) {
      return;
    }
    long usable;
    try {
      usable = settings.diskSpace.usableBytes(directory);
    } catch (IOException e) {
      writable = false;
      throw new IOException("Spool " + directory + ": free space cannot be checked (" + e + ")", e);
    }
    lastSpaceCheckNanos = now;
    if (usable < settings.marginBytes()) {
      writable = false;
      throw new IOException("Spool " + directory + " is out of disk space: " + usable
          + " bytes usable, below the margin of " + settings.marginBytes()
          + " (Chronicle would crash the JVM with SIGBUS on a full disk)");
    }
    bytesSinceSpaceCheck = 0;
    writable = true;
  }

  /**
   * Forces the cycle files appended to ({@code fdatasync}, which covers mapped pages on Linux). May
   * run during appends on other threads: it covers every record whose append returned before it was
   * called (that append published its file first). Synchronized with {@link #close()}.
   */
  @Override
  public synchronized void commit() throws IOException {
    if (closed) {
      throw new IOException("Spool " + directory + " is closed");
    }
    if (durability != SpoolDurability.OS_CRASH) {
      // A document is complete in the mapped file once its DocumentContext closed: the page
      // cache keeps it when the process dies.
      return;
    }
    java.io.File current = appendFile;
    try {
      // When appends crossed into another cycle file, force the rest of the previous one.
      for (java.io.File f; (f = filesToSync.poll()) != null; ) {
        if (!f.equals(current)) {
          force(f.toPath());
        }
      }
      if (current != null) {
        // fdatasync of the cycle file rather than Chronicle's appender.sync(): Chronicle logs a
        // failed msync and carries on, while this throws, so a failed sync degrades the spool (one
        // ERROR, stats().spoolDegraded()) instead of letting callers believe their messages
        // survive an OS crash. It also needs no appender, which belongs to the appending threads.
        syncChannel(current).force(false);
      }
    } catch (RuntimeException e) {
      throw new IOException("Spool " + directory + " could not sync: " + e, e);
    }
  }

  /** The open channel of the cycle file being written, reused across commits. */
  private FileChannel syncChannel;
  private java.io.File syncChannelFile;

  private FileChannel syncChannel(java.io.File file) throws IOException {
    if (syncChannel == null || !file.equals(syncChannelFile)) {
      closeSyncChannel();
      syncChannel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
      syncChannelFile = file;
    }
    return syncChannel;
  }

  private void closeSyncChannel() {
    if (syncChannel != null) {
      try {
        syncChannel.close();
      } catch (IOException e) {
        LOG.debug("closing the sync channel of {} failed: {}", syncChannelFile, e.toString());
      }
      syncChannel = null;
      syncChannelFile = null;
    }
  }

  private static void force(Path file) throws IOException {
    // A previous cycle's file may be deleted by the reader thread meanwhile (its records were all
    // delivered and acknowledged, which happens sooner now that files roll by size): nothing to sync.
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(false);
    } catch (java.nio.file.NoSuchFileException gone) {
      // deleted: fully acknowledged
    }
  }

  @Override
  public boolean writable() {
    if (closed) {
      return false;
    }
    if (!writable) {
      try {
        long usable = settings.diskSpace.usableBytes(directory);
        if (usable >= settings.marginBytes() && Files.isWritable(directory)) {
          // the append thread re-checks before its next append
          return true;
        }
      } catch (IOException e) {
        return false;
      }
      return false;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Read thread

  @Override
  public boolean read(RecordHandler handler) throws IOException {
    if (closed) {
      throw new IOException("Spool " + directory + " is closed");
    }
    if (tailer == null) {
      tailer = queue.createTailer();
      if (firstPendingIndex != Long.MIN_VALUE) {
        if (!tailer.moveToIndex(firstPendingIndex)) {
          positionAfter(tailer, ackAtOpen);
        }
      } else {
        positionAfter(tailer, ackAtOpen);
      }
    }
    while (true) {
      long index;
      int length;
      boolean good;
      long skippedBytes;
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          return false;
        }
        index = dc.index();
        if (ackAtOpen != AckFile.NONE && index <= ackAtOpen) {
          continue; // only when the tailer had to start over from the first file
        }
        Bytes<?> in = dc.wire().bytes();
        long size = in.readRemaining();
        skippedBytes = Math.max(0, size - RECORD_HEADER);
        length = -1;
        good = false;
        if (size >= RECORD_HEADER) {
          length = in.readInt();
          int crc = in.readInt();
          if (length >= 0 && length == size - RECORD_HEADER) {
            if (readBuffer.length < length) {
              readBuffer = new byte[Math.max(length, readBuffer.length * 2)];
            }
            in.read(readBuffer, 0, length);
            readCrc.reset();
            readCrc.update(readBuffer, 0, length);
            good = (int) readCrc.getValue() == crc;
          }
        }
      } catch (RuntimeException e) {
        // Chronicle could not parse this cycle (a damaged header inside it): its remaining
        // records are lost; go on with the next cycle.
        corrupt++;
        LOG.warn("Spool {}: skipping the rest of a damaged journal file ({})", directory, e.toString());
        if (!skipCycle(queue, tailer)) {
          return false;
        }
        continue;
      }
      readBytes += skippedBytes;
      if (!good) {
        corrupt++;
        if (unacked.isEmpty()) {
          // Everything read before it is acknowledged: acknowledge the damaged record too, so it
          // is not counted again after a restart.
          markAcknowledged(index, readBytes);
        } else {
          unacked.add(index, readBytes);
        }
        continue;
      }
      unacked.add(index, readBytes);
      // Called after the DocumentContext closed, so a throwing handler leaves Chronicle consistent.
      handler.onRecord(index, readBuffer, 0, length);
      return true;
    }
  }

  @Override
  public void acknowledge(long position) throws IOException {
    if (closed) {
      throw new IOException("Spool " + directory + " is closed");
    }
    long bytes = -1;
    long index = AckFile.NONE;
    while (!unacked.isEmpty() && unacked.firstPosition() <= position) {
      index = unacked.firstPosition();
      bytes = unacked.firstBytes();
      unacked.removeFirst();
    }
    if (index == AckFile.NONE) {
      return;
    }
    markAcknowledged(index, bytes);
  }

  private void markAcknowledged(long index, long cumulativeReadBytes) throws IOException {
    ackFile.write(index);
    ackedIndex = index;
    ackedBytes = cumulativeReadBytes; // single writer
    deleteFilesBefore(index);
  }

  /** Deletes the cycle files wholly before the one holding {@code index}. */
  private void deleteFilesBefore(long index) {
    int cycle = settings.rollCycle.toCycle(index);
    String name = cycleNames.format(Instant.ofEpochMilli((long) cycle * settings.rollCycle.lengthInMillis()))
        + JournalFiles.SUFFIX;
    if (name.equals(keepFromName)) {
      return;
    }
    keepFromName = name;
    try {
      if (JournalFiles.deleteBefore(directory, name) > 0) {
        queue.refreshDirectoryListing();
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Spool {}: could not delete delivered files ({})", directory, e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Any thread

  @Override
  public long pendingBytes() {
    return appendedBytes - ackedBytes;
  }

  @Override
  public long maxBytes() {
    return maxBytes;
  }

  @Override
  public long corruptRecords() {
    return corrupt;
  }

  @Override
  public long quarantinedFiles() {
    return quarantined;
  }

  @Override
  public long recoveredRecords() {
    return recoveredRecords;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (warmer != null) {
      warmer.close(1000); // it releases the mapped chunk it holds before the queue unmaps the rest
    }
    closeSyncChannel();
    try {
      queue.close();
    } catch (RuntimeException e) {
      LOG.warn("Spool {}: error closing the journal ({})", directory, e.toString());
    }
    ackFile.close();
    lock.close();
  }

  @Override
  public String toString() {
    return "ChronicleSpool{" + directory + ", pending=" + pendingBytes() + "/" + maxBytes
        + ", durability=" + durability + "}";
  }

  /** Files of this spool, for tests. */
  List<Path> cycleFiles() throws IOException {
    return JournalFiles.cycleFiles(directory);
  }

  /** The page warmer, for tests; null when turned off. */
  PageWarmer warmer() {
    return warmer;
  }

  long acknowledgedIndex() {
    return ackedIndex;
  }

  /** A growable ring of (position, cumulative bytes) for records read and not acknowledged. */
  private static final class PositionQueue {
    private long[] positions = new long[1024];
    private long[] bytes = new long[1024];
    private int head;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    void add(long position, long cumulativeBytes) {
      if (size == positions.length) {
        long[] p = new long[size * 2];
        long[] b = new long[size * 2];
        for (int i = 0; i < size; i++) {
          p[i] = positions[(head + i) % positions.length];
          b[i] = bytes[(head + i) % positions.length];
        }
        positions = p;
        bytes = b;
        head = 0;
      }
      int tail = (head + size) % positions.length;
      positions[tail] = position;
      bytes[tail] = cumulativeBytes;
      size++;
    }

    long firstPosition() {
      return positions[head];
    }

    long firstBytes() {
      return bytes[head];
    }

    void removeFirst() {
      head = (head + 1) % positions.length;
      size--;
    }
  }
}
