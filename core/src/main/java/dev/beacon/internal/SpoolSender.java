package dev.beacon.internal;

import dev.beacon.FailureReason;
import dev.beacon.spi.Spool;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the spool from the acknowledged position, cuts the records into batches (the same
 * wanted/forced rules as the consumer) and hands them to the dispatcher. Acknowledges a batch's
 * last position only once it and every batch before it are delivered or reported — never on
 * read. Owns the spool's reading side (one thread). Not API.
 */
final class SpoolSender implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");

  private final Spool spool;
  private final Journal journal;
  private final Dispatcher dispatcher;
  private final Counters counters;
  private final Reporter reporter;
  private final int flushAt;
  private final int maxBatchMessages;
  private final int maxBatchBytes;
  private final long intervalNanos;
  private final RateLimitedLog ackLog = new RateLimitedLog(LOG, 10_000_000_000L);

  private final Assembler asm = new Assembler();
  private final ArrayDeque<Ticket> tickets = new ArrayDeque<>();
  private final AtomicLong flushTarget = new AtomicLong(-1);
  /** {@link #await} waits here; signalled by every {@link #advance}. */
  private final Signal progress = new Signal();
  private volatile long done;
  private volatile boolean draining;
  private volatile boolean halted;
  private volatile Thread thread;
  private volatile boolean sleeping;
  final CountDownLatch exited = new CountDownLatch(1);

  /** After this long without reading a record the sender sleeps until woken. */
  private static final long DEEP_IDLE_AFTER_NANOS = 100_000_000L;
  /**
   * After a pass that failed to read the spool, the longest sleep before the next try: a retry of
   * a failed read (a real periodic duty), not a cover for a missed wake-up.
   */
  private static final long READ_RETRY_NANOS = 1_000_000_000L;
  private volatile boolean deepSleeping;
  /** Tests only (see {@link SleepProbe}); read once per deep sleep. */
  private volatile SleepProbe sleepProbe;
  private long lastReadNanos = System.nanoTime();
  /** Journal records known at the start of the last pass: a commit since then means work. */
  private long seenTotal;
  private long readOrdinal;
  private long batchFirstOrdinal = -1;
  private long batchStartNanos;
  private long corruptSeen;

  SpoolSender(EngineConfig cfg, Spool spool, Journal journal, Dispatcher dispatcher, Counters counters,
      Reporter reporter) {
    this.spool = spool;
    this.journal = journal;
    this.dispatcher = dispatcher;
    this.counters = counters;
    this.reporter = reporter;
    this.flushAt = cfg.flushAt();
    this.maxBatchMessages = cfg.maxBatchMessages();
    this.maxBatchBytes = cfg.maxBatchBytes();
    this.intervalNanos = Durations.toNanos(cfg.flushInterval());
  }

  /** Records of this run's spool stream known to be finished (delivered, reported or skipped). */
  long done() {
    return done;
  }

  /** Wakes the sender if it is parked (after a journal commit, or a finished batch). */
  void wake() {
    Thread t = thread;
    if (t != null && sleeping) {
      LockSupport.unpark(t);
    }
  }

  /** Wakes the sender from a deep (idle) sleep only: cheap to call on every journal commit. */
  void wakeIfDeep() {
    if (deepSleeping) {
      wakeNow();
    }
  }

  private void wakeNow() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  void requestFlush(long total) {
    flushTarget.accumulateAndGet(total, Math::max);
    wakeNow();
  }

  void drain() {
    draining = true;
    wakeNow();
  }

  void halt() {
    halted = true;
    wakeNow();
  }

  /**
   * Waits until {@link #done()} reaches {@code target} or the deadline passes; woken by each
   * {@link #advance}, with no other timed wait.
   */
  boolean await(long target, long deadlineNanos) throws InterruptedException {
    return progress.awaitInterruptibly(() -> done >= target, deadlineNanos);
  }

  /** Sender thread only. */
  private void advance(long newDone) {
    if (newDone > done) {
      done = newDone; // a volatile write, then the signal: see Signal
      progress.signal();
    }
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    int idle = 0;
    long quarantined = spool.quarantinedFiles();
    if (quarantined > 0) {
      // Their records cannot be counted (the files are unreadable): the report says how many files.
      reporter.report(FailureReason.SPOOL_CORRUPT, 0, 0, List.of(), quarantined
          + " unreadable spool file(s) were moved to quarantine/ at start; their messages are lost", null);
    }
    try {
      while (!halted) {
        boolean readAny = false;
        boolean failed = false;
        try {
          acknowledgeFinished();
          long mark = journal.totalRecords();
          seenTotal = mark;
          boolean caughtUp = true;
          while (!halted) {
            if (!spool.read(this::onRecord)) {
              break;
            }
            readAny = true;
            if (afterRecord()) {
              caughtUp = false;
              break;
            }
          }
          reportCorrupt();
          if (!asm.isEmpty() && wantsCut(caughtUp) && dispatcher.tryAcquire()) {
            cut(asm.count());
          }
          if (caughtUp && asm.isEmpty() && tickets.isEmpty()) {
            advance(mark); // everything appended before mark was read, and everything read is done
            if (draining && journal.totalRecords() == mark && !halted) {
              break;
            }
          }
        } catch (IOException | RuntimeException e) {
          failed = true;
          ackLog.warn("Beacon could not read its spool: {}", e.toString());
        }
        long now = System.nanoTime();
        if (readAny) {
          idle = 0;
          lastReadNanos = now;
          continue;
        }
        idle++;
        // A batch that wants a cut and did not get a request slot: a freed slot is work.
        boolean cutWaiting = !asm.isEmpty() && wantsCut(true);
        long park; // 0: until woken
        SleepProbe probe = null;
        // Draining (close) with nothing to do now waits for the same events as a deep sleep (a
        // commit, a finished batch, a freed slot, the halt): it parks like one instead of spinning.
        if (!draining && now - lastReadNanos <= DEEP_IDLE_AFTER_NANOS) {
          park = Math.min(2_000_000L, 20_000L << Math.min(idle, 7));
        } else {
          // Idle: sleep until woken by a commit or a freed request slot (wakeIfDeep), a finished
          // batch (wake), a flush, a drain or a halt (unconditional unparks); at the latest until the
          // open batch is due (the flush interval) or, after a failed read, until the read is
          // retried: real periodic duties, the only timed parts of this sleep (issue 20: no cap).
          park = asm.isEmpty() || cutWaiting ? 0 : Math.max(1, batchStartNanos + intervalNanos - now);
          if (failed) {
            park = park == 0 ? READ_RETRY_NANOS : Math.min(park, READ_RETRY_NANOS);
          }
          probe = sleepProbe;
          if (probe != null) {
            probe.deciding();
          }
          deepSleeping = true;
        }
        sleeping = true;
        // Re-check, after raising the flags (volatile writes), every condition a conditional waker
        // signals: a commit (totalRecords), a finished batch at the head (its ticket's volatile
        // done, written before wake() reads sleeping) and, for a batch waiting for a slot, a slot
        // released (an atomic update before the listener reads deepSleeping). One side always sees
        // the other, and an unpark before the park makes the park return at once.
        if (!halted && journal.totalRecords() == seenTotal && !headTicketDone()
            && !(cutWaiting && dispatcher.hasFreeSlot())) {
          if (probe != null) {
            probe.parking();
          }
          if (park == 0) {
            LockSupport.park(this);
          } else {
            LockSupport.parkNanos(this, park);
          }
        }
        sleeping = false;
        deepSleeping = false;
        Thread.interrupted(); // only halt() stops the sender; a stray interrupt must not make it spin
      }
    } finally {
      exited.countDown();
      dispatcher.signalSettled(); // close waits for this exit or for only backoffs to be left
    }
  }

  /** Tests only: observes the next deep sleeps (see {@link SleepProbe}). */
  void sleepProbe(SleepProbe probe) {
    this.sleepProbe = probe;
  }

  private void onRecord(long position, byte[] bytes, int offset, int length) {
    if (asm.isEmpty()) {
      batchFirstOrdinal = readOrdinal;
      batchStartNanos = System.nanoTime();
    }
    asm.addRaw(bytes, offset, length, position);
    readOrdinal++;
  }

  /** Applies the forced and wanted cuts after one record; true when the read loop should yield. */
  private boolean afterRecord() {
    int n = asm.count();
    if (n > 1 && asm.requestBytes() > maxBatchBytes) {
      if (acquire()) {
        long first = readOrdinal - 1;
        cut(n - 1);
        batchFirstOrdinal = first;
        batchStartNanos = System.nanoTime();
      }
      return true;
    }
    if (n >= maxBatchMessages || asm.requestBytes() >= maxBatchBytes) {
      if (acquire()) {
        cut(n);
      }
      return true;
    }
    if (n >= flushAt && dispatcher.tryAcquire()) {
      cut(n);
      return true;
    }
    return false;
  }

  private boolean wantsCut(boolean caughtUp) {
    return asm.count() >= flushAt
        || flushTarget.get() > batchFirstOrdinal
        || System.nanoTime() - batchStartNanos >= intervalNanos
        || (draining && caughtUp);
  }

  /**
   * Waits for a request slot, acknowledging finished batches meanwhile; false when halted. Woken
   * through the dispatcher's {@link Signal} by every slot released (a finished batch releases its
   * slot after marking its ticket done) and by {@link #halt()}'s unpark: no polling.
   */
  private boolean acquire() {
    while (!halted) {
      if (dispatcher.acquire(() -> halted || headTicketDone())) {
        return true;
      }
      acknowledgeFinished();
    }
    return false;
  }

  /** Sender thread only. */
  private boolean headTicketDone() {
    Ticket t = tickets.peekFirst();
    return t != null && t.done;
  }

  private void cut(int n) {
    Assembler.Cut c = asm.cut(n);
    Ticket t = new Ticket(c.lastPosition(), c.batch().size());
    tickets.addLast(t);
    batchFirstOrdinal = -1;
    dispatcher.submit(c.batch(), 0, () -> {
      t.done = true;
      wake();
    }, true);
  }

  /** Acknowledges the longest run of finished batches at the head, in order. */
  private void acknowledgeFinished() {
    long last = Long.MIN_VALUE;
    int n = 0;
    while (!tickets.isEmpty() && tickets.peekFirst().done) {
      Ticket t = tickets.pollFirst();
      last = t.lastPosition;
      n += t.count;
    }
    if (n == 0) {
      return;
    }
    try {
      spool.acknowledge(last);
    } catch (IOException | RuntimeException e) {
      // Not fatal: the records are delivered; after a restart they would be sent again (at-least-once).
      ackLog.warn("Beacon could not persist its spool position: {}", e.toString());
    }
    journal.acknowledged(); // callers waiting on a full spool (QueueFullPolicy.block); a degraded spool
    advance(done + n);
  }

  private void reportCorrupt() {
    long c = spool.corruptRecords();
    if (c > corruptSeen) {
      int n = (int) Math.min(Integer.MAX_VALUE, c - corruptSeen);
      corruptSeen = c;
      journal.spaceFreed(); // a damaged record read with nothing unacknowledged before it is acknowledged at once
      reporter.report(FailureReason.SPOOL_CORRUPT, 0, n, List.of(),
          n + " damaged record(s) in the spool were skipped", null);
    }
  }

  /** Records still held by the sender: read but unfinished, or in the batch being built. */
  long held() {
    return asm.count();
  }

  private static final class Ticket {
    final long lastPosition;
    final int count;
    volatile boolean done;

    Ticket(long lastPosition, int count) {
      this.lastPosition = lastPosition;
      this.count = count;
    }
  }
}
