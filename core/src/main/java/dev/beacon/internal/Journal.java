package dev.beacon.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.beacon.Message;
import dev.beacon.spi.Spool;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal in front of the spool. Two ways in:
 *
 * <ul>
 *   <li><b>The caller's own append</b> ({@link #appendOwn}, {@code PROCESS_CRASH} and
 *       {@code OS_CRASH}): the calling thread serializes its message into its own buffer and
 *       appends the record itself, under a short lock that orders writers (the lock covers only
 *       the copy into the mapped file). No hand-off to another thread — unless the lock stays
 *       held past {@link #LOCK_BUDGET_NANOS} (a stalled mapped write): the call then takes the
 *       ring ({@link #BUSY}) and waits for the consumer's journaling instead of queuing on the
 *       lock ({@link #bypassed}, {@link #awaitRingDurable}). With {@code OS_CRASH} the
 *       caller then waits in {@link #awaitDurable}, at most until its deadline, for a sync that
 *       covers its record: the sync thread ({@link #runSyncs}) syncs for every caller that
 *       appended before each sync starts (group commit, one {@code fdatasync} for many callers).
 *       Before each sync it waits, at most about one sync's time, for the callers the last sync
 *       released to append again ({@link #gatherCallers}), so that their records share one sync
 *       (issue 23 §2).
 *   <li><b>The ring</b> ({@code BUFFERED}, and the fallback while the spool is degraded or a
 *       message cannot be serialized on the caller): on the consumer thread, {@link #tryAppend}
 *       appends each message from the ring and {@link #commit} ends each group, then publishes
 *       the highest journaled ring sequence, which ring producers wait for.
 * </ul>
 *
 * <p>When the spool fails it degrades to memory mode with one ERROR (callers then go through the
 * ring, which keeps their messages in memory) and is tried again at most once a second: by the
 * consumer when a message comes through the ring, by each acknowledgement of the spool reader
 * (which may have freed disk space), and, without any traffic, by a periodic probe on the
 * engine's scheduler that runs only while the spool is degraded. Not API.
 */
final class Journal {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");
  private static final long RETRY_NANOS = 1_000_000_000L;
  /**
   * {@link #appendOwn}: results at or below this mean the spool is full (the call is refused as
   * SPOOL_FULL, or waits); {@link #neededRoom} tells how much room the message needs.
   */
  static final long FULL = -16;
  /** {@link #appendOwn}: not appended; the message goes through the ring instead. */
  static final long UNAVAILABLE = -2;
  /**
   * {@link #appendOwn}: not appended because the append lock stayed held past the caller's
   * budget (a page fault, a cycle roll, a stalled device under another append); the message goes
   * through the ring instead, and the call does not wait behind the lock (issue 20, item 6).
   */
  static final long BUSY = -3;
  /**
   * How long a caller waits for the append lock before it takes the ring path ({@link #BUSY}): an
   * ordinary append holds the lock for microseconds; anything longer is a mapped write that stalls
   * (the first write of a cycle costs 4–10 ms), which callers must not queue behind one by one.
   */
  static final long LOCK_BUDGET_NANOS = 1_000_000L;
  /** A caller's buffer is replaced by a small one after holding a message larger than this. */
  private static final int KEEP_BUFFER_BYTES = 16 * 1024;

  private final Spool spool;
  private final Counters counters;
  private final Runnable onCommit;
  /** Runs {@link #probeWhileDegraded} while degraded; null when there is none (tests). */
  private final java.util.concurrent.ScheduledExecutorService probes;
  /** Under {@code this}: the periodic probe scheduled while degraded, else null. */
  private java.util.concurrent.ScheduledFuture<?> probe;
  /** The consumer's serialization buffer (ring path). */
  private final ByteSink sink = new ByteSink(4096);
  private JsonGenerator gen = MessageSerializer.generator(sink);
  /** Each calling thread's serialization buffer (own-append path). */
  private final CallerBuffers callerBuffers = new CallerBuffers();
  /**
   * Orders writers: the spool sees one append at a time (its contract), from whichever thread.
   * Also held by {@link #close()}, so the spool never closes under an append.
   */
  private final java.util.concurrent.locks.ReentrantLock appendLock = new java.util.concurrent.locks.ReentrantLock();
  /** Under appendLock. */
  private boolean closed;
  /**
   * Set first thing in {@link #close()}: a sync that fails from then on failed because the spool
   * closed under it, not because the device did (issue 20, item 8).
   */
  private volatile boolean closing;
  /**
   * One sync at a time (the sync thread's or the consumer's); its holder syncs for every record
   * appended before it started.
   */
  private final java.util.concurrent.locks.ReentrantLock syncLock = new java.util.concurrent.locks.ReentrantLock();
  /**
   * The {@code OS_CRASH} hand-off between callers and the sync thread ({@link #runSyncs}): guards
   * the three fields below and the writes of {@link #synced}. A lock and two conditions, and no
   * timed wait but the caller's own deadline: each side signals whenever it changes what the other
   * waits for (issue 20, item 7: a safety-net timeout hid a missing signal).
   */
  private final java.util.concurrent.locks.ReentrantLock syncState = new java.util.concurrent.locks.ReentrantLock();
  /** The sync thread waits here for a request; signalled by {@link #awaitDurable} and close. */
  private final java.util.concurrent.locks.Condition syncWanted = syncState.newCondition();
  /**
   * Callers wait here ({@link Signal}: each waiter parks on its own and is unparked directly, so a
   * sync that releases several callers wakes them all at once rather than one after the other
   * through a lock, as a condition's waiters re-acquire it); signalled by every sync that ends
   * (whoever ran it) and by close.
   */
  private final Signal syncEnded = new Signal(new SyncWait());

  /**
   * The park blocker of callers waiting for a sync ({@link #syncEnded}): a thread dump, and a test
   * through {@code LockSupport.getBlocker}, tells a wait for a sync from a wait for room in the
   * spool ({@link #space}, whose blocker is the journal itself).
   */
  private static final class SyncWait {
    @Override
    public String toString() {
      return "Beacon journal: waiting for an OS_CRASH sync";
    }
  }
  /** Under syncState: the highest record number a caller waits to see synced. */
  private long syncRequested;
  /**
   * Callers that began to wait in {@link #awaitDurable}, ever (each after its append): a sync that
   * reads it before the record count covers every caller it counts.
   */
  private final AtomicLong arrivals = new AtomicLong();
  /**
   * Under syncLock: {@link #arrivals} when the last sync started, and the callers it covered that
   * the sync before did not (those it released).
   */
  private long arrivalsAtLastSync;
  private long lastReleased;
  /**
   * How long a sync waits at most for the callers the last one released ({@link #gatherCallers});
   * negative (production): the last sync's duration, at most {@link #GATHER_BOUND_NANOS}.
   */
  private long gatherBoundNanos = -1;
  /** How long the last sync took (the device's sync latency); written by whichever thread synced. */
  private volatile long lastSyncNanos;
  /** Written under syncState: the highest record number a failed sync was to cover. */
  private volatile long syncFailedThrough;
  /** Written under syncState: the sync thread stopped (close) or died; callers no longer wait. */
  private volatile boolean syncStopped;
  /** Records ({@link #total} values) known durable against an OS crash; written under syncState. */
  private volatile long synced;
  /** Read by every caller, which do not use a degraded journal; changed under {@code this}. */
  private volatile boolean degraded;
  private long retryAtNanos;
  /** Ring-path appends since the last commit (consumer thread). */
  private int uncommitted;
  /** Records in the spool this run could read: recovered at open plus those appended since. */
  private final AtomicLong total = new AtomicLong();
  /** Highest ring sequence whose message is journaled (or, degraded, in the memory pipeline). */
  private volatile long journaledSeq = -1;
  /**
   * Highest ring sequence of a call that took the ring path because the lock was busy
   * ({@link #bypassed}): until the journal covers it, later calls take the ring path too, so that
   * a thread's messages stay in its call order.
   */
  private final AtomicLong bypassSeq = new AtomicLong(-1);
  /**
   * Highest ring sequence whose message the consumer kept in memory instead of journaling it
   * ({@link #diverted}); written before the commit that covers it is published.
   */
  private volatile long divertedSeq = -1;

  Journal(Spool spool, Counters counters, Runnable onCommit) {
    this(spool, counters, onCommit, null);
  }

  /**
   * @param probes the scheduler that re-checks a degraded spool once a second without traffic
   *     ({@link #probeWhileDegraded}); null for none
   */
  Journal(Spool spool, Counters counters, Runnable onCommit,
      java.util.concurrent.ScheduledExecutorService probes) {
    this.spool = spool;
    this.counters = counters;
    this.onCommit = onCommit;
    this.probes = probes;
    total.set(spool.recoveredRecords());
  }

  long totalRecords() {
    return total.get();
  }

  long journaledSeq() {
    return journaledSeq;
  }

  /** Bytes promised to producers that passed the check and are not appended yet. */
  private final AtomicLong reserved = new AtomicLong();

  /**
   * Reserves room for a message about to be published, so that concurrent producers cannot
   * overshoot {@code maxSpoolBytes} between the check and the append.
   *
   * @return false when the spool is full
   */
  boolean reserve(long bytes) {
    long r = reserved.addAndGet(bytes);
    if (spool.pendingBytes() + r > spool.maxBytes()) {
      reserved.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  void release(long bytes) {
    reserved.addAndGet(-bytes);
  }

  /**
   * Appends one message.
   *
   * @return true when appended; false when it must go through memory instead (spool failing, or
   *     full by a race with the producers' check)
   * @throws IOException when the message cannot be serialized (not a spool failure)
   */
  boolean tryAppend(Message m) throws IOException {
    long bound = m.serializedSizeBound();
    if (degraded && !recovered()) {
      release(bound);
      return false;
    }
    sink.truncate(0);
    try {
      MessageSerializer.write(gen, m);
      gen.flush();
    } catch (IOException | RuntimeException e) {
      release(bound);
      sink.truncate(0);
      gen = MessageSerializer.generator(sink);
      throw e instanceof IOException ? (IOException) e : new IOException(e);
    }
    return appendReserved(sink.array(), sink.size(), bound);
  }

  /**
   * The consumer's append of a message whose room its producer reserved ({@link #reserve}). The
   * reservation is given back only once the record is appended (or refused): given back before,
   * its room could be taken by a caller's own append in between, and the message would find the
   * spool full and go through memory — which, for a call that took the ring past a busy lock
   * ({@link #BUSY}), would break its mode's promise (seen as a lost event in CrashTest).
   */
  private boolean appendReserved(byte[] bytes, int length, long bound) {
    appendLock.lock();
    try {
      if (closed || spool.pendingBytes() + length > spool.maxBytes()) {
        return false;
      }
      try {
        spool.append(bytes, 0, length);
      } catch (IOException | RuntimeException e) {
        degrade(e);
        return false;
      }
      total.incrementAndGet();
    } finally {
      appendLock.unlock();
      release(bound);
    }
    uncommitted++;
    return true;
  }

  /**
   * The caller's own append: serializes {@code m} on the calling thread and appends it. Once this
   * returns a record number, the record is in the journal (with {@code PROCESS_CRASH}, safe from a
   * kill of the process).
   *
   * @return the record's number (for {@link #awaitDurable}), {@link #FULL} when the spool is
   *     full, or {@link #UNAVAILABLE} when the message must go through the ring (journal degraded
   *     or closed, or the message could not be serialized here: the ring path reports it)
   */
  long appendOwn(Message m) {
    return appendOwn(m, Long.MAX_VALUE);
  }

  /**
   * {@link #appendOwn(Message)}, waiting at most {@code lockWaitNanos} for the append lock.
   *
   * @return as {@link #appendOwn(Message)}, or {@link #BUSY} when the lock stayed held
   */
  long appendOwn(Message m, long lockWaitNanos) {
    if (degraded) {
      return UNAVAILABLE;
    }
    CallerBuffer b = callerBuffers.take();
    b.sink.truncate(0);
    try {
      MessageSerializer.write(b.gen, m);
      b.gen.flush();
    } catch (IOException | RuntimeException e) {
      return UNAVAILABLE; // the buffer is dropped: its generator may be in any state
    }
    int length = b.sink.size();
    if (!lockWithin(lockWaitNanos)) {
      if (b.sink.array().length <= KEEP_BUFFER_BYTES) {
        callerBuffers.giveBack(b);
      }
      return BUSY;
    }
    long number = appendLocked(b.sink.array(), length);
    if (b.sink.array().length <= KEEP_BUFFER_BYTES) {
      callerBuffers.giveBack(b); // one large message must not pin a large buffer
    }
    if (number > 0) {
      onCommit.run();
    }
    return number;
  }

  /**
   * {@link #tryAppend(Message)} for a message that is already its JSON: appended as it is.
   *
   * @return true when appended; false when it must go through memory instead
   */
  boolean tryAppend(RawMessage m) {
    byte[] json = m.json();
    if (degraded && !recovered()) {
      release(json.length);
      return false;
    }
    return appendReserved(json, json.length, json.length);
  }

  /**
   * {@link #appendOwn(Message)} for a message that is already its JSON: the caller appends its
   * bytes as they are, with nothing to serialize.
   *
   * @return as {@link #appendOwn(Message)}
   */
  long appendOwn(RawMessage m) {
    return appendOwn(m, Long.MAX_VALUE);
  }

  /**
   * {@link #appendOwn(RawMessage)}, waiting at most {@code lockWaitNanos} for the append lock.
   *
   * @return as {@link #appendOwn(Message)}, or {@link #BUSY} when the lock stayed held
   */
  long appendOwn(RawMessage m, long lockWaitNanos) {
    if (degraded) {
      return UNAVAILABLE;
    }
    byte[] json = m.json();
    if (!lockWithin(lockWaitNanos)) {
      return BUSY;
    }
    long number = appendLocked(json, json.length);
    if (number > 0) {
      onCommit.run();
    }
    return number;
  }

  /**
   * A caller's append under the lock, which the caller took and this releases: the record's
   * number, {@link #FULL} minus the length, or {@link #UNAVAILABLE}.
   */
  private long appendLocked(byte[] bytes, int length) {
    try {
      if (closed || degraded) {
        return UNAVAILABLE;
      }
      // Through the same reservation as the ring path's producers (one atomic check of pending
      // plus reserved bytes): a check of both under this lock raced a producer's reserve, and
      // together they could promise more than the spool holds.
      if (!reserve(length)) {
        return FULL - length;
      }
      try {
        spool.append(bytes, 0, length);
        return total.incrementAndGet();
      } catch (IOException | RuntimeException e) {
        degrade(e);
        return UNAVAILABLE;
      } finally {
        release(length); // counted in pendingBytes from here (or not appended)
      }
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Takes the append lock, waiting at most {@code nanos}; an interrupt neither ends the wait nor
   * is lost (the flag is set again), as with the uninterruptible lock this replaces.
   */
  private boolean lockWithin(long nanos) {
    if (appendLock.tryLock()) {
      return true;
    }
    if (nanos == Long.MAX_VALUE) {
      appendLock.lock();
      return true;
    }
    long deadline = System.nanoTime() + nanos;
    boolean interrupted = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          return appendLock.tryLock(left, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A call took the ring path because the lock was busy ({@link #BUSY}, or an earlier bypass
   * still in the ring) and published its message at {@code seq}.
   */
  void bypassed(long seq) {
    bypassSeq.accumulateAndGet(seq, Math::max);
  }

  /**
   * True while a message that bypassed the lock is still in the ring, not journaled: a call must
   * then take the ring path too, or it could overtake an earlier call of its own thread.
   */
  boolean bypassPending() {
    return journaledSeq < bypassSeq.get();
  }

  /**
   * The consumer keeps the message at {@code seq} in memory instead of journaling it (spool
   * degraded, closed or full): commits what came before it.
   */
  void diverted(long seq) {
    if (seq > divertedSeq) {
      divertedSeq = seq; // before the commit that covers seq publishes journaledSeq
    }
    commit(seq - 1);
  }

  /**
   * {@code OS_CRASH} on the ring path: waits, until the deadline, for the consumer to journal the
   * message at {@code seq} and for a sync that covers it. Conservative: when any message at or
   * after {@code seq} was kept in memory, the answer is false even if this one was journaled.
   *
   * @return true only when the message is journaled and a sync covered it
   */
  boolean awaitRingDurable(long seq, long deadlineNanos) {
    try {
      if (!awaitJournaledUntil(seq, deadlineNanos)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    if (divertedSeq >= seq) {
      return false;
    }
    // journaledSeq (volatile, read above) is written after the record's number was taken, so the
    // total read now covers the record.
    return awaitDurable(total.get(), deadlineNanos);
  }

  /** Whether an {@link #appendOwn} result says the spool is full. */
  static boolean isFull(long appendResult) {
    return appendResult <= FULL;
  }

  /** For a {@link #isFull full} {@link #appendOwn} result: the room the message needs, in bytes. */
  static long neededRoom(long appendResult) {
    return FULL - appendResult;
  }

  /**
   * Waits until a sync covers record {@code number} ({@code OS_CRASH}): group commit. The caller
   * never syncs itself: it asks the sync thread ({@link #runSyncs}), which syncs every record
   * appended before each sync starts, and waits for it at most until its deadline, so a stalled
   * device cannot hold a call past {@code flushTimeout} (issue 20, item 5). A sync the consumer
   * runs for the ring path ({@link #commit}) wakes the callers it covers too (item 7).
   *
   * @param number a number returned by {@link #appendOwn}
   * @param deadlineNanos when to give up waiting ({@link System#nanoTime()} clock)
   * @return true when durable; false when the wait timed out, the caller was interrupted, the
   *     journal closed, or the sync failed (the journal then degrades, with one ERROR): the record
   *     stays in the journal and is sent, without the OS-crash guarantee
   */
  boolean awaitDurable(long number, long deadlineNanos) {
    if (synced >= number) {
      return true;
    }
    arrivals.incrementAndGet(); // before the request: the sync it starts counts this caller
    syncState.lock();
    try {
      if (number > syncRequested) {
        syncRequested = number;
        syncWanted.signal();
      }
    } finally {
      syncState.unlock();
    }
    // Ended by the sync that covers the record or fails, by close, by the deadline or an interrupt
    // (which stays set). Every writer of these three fields signals after writing them.
    syncEnded.await(() -> synced >= number || syncFailedThrough >= number || syncStopped, deadlineNanos);
    return synced >= number;
  }

  /**
   * The sync thread's loop ({@code OS_CRASH}; the engine runs it on a thread of the client's
   * factory): waits for a request, syncs everything appended so far, wakes the callers, until
   * {@link #close()}. A sync that the consumer ran meanwhile and that covers every request is not
   * repeated. Never throws.
   */
  void runSyncs() {
    syncState.lock();
    try {
      while (!syncStopped) {
        long want = syncRequested;
        if (want <= Math.max(synced, syncFailedThrough)) {
          syncWanted.await(); // every request and close signal it
          continue;
        }
        syncState.unlock();
        try {
          syncLock.lock();
          try {
            if (synced < want) {
              gatherCallers();
              syncToEnd();
            }
          } finally {
            syncLock.unlock();
          }
        } finally {
          syncState.lock();
        }
      }
    } catch (InterruptedException e) {
      // stop: callers see syncStopped below
    } catch (Throwable e) {
      LOG.error("Beacon's spool sync thread failed ({}); OS_CRASH calls no longer wait for a sync"
          + " (see stats().spoolSyncTimeouts())", e.toString());
    } finally {
      if (!syncState.isHeldByCurrentThread()) {
        syncState.lock();
      }
      syncStopped = true;
      syncState.unlock();
      syncEnded.signal();
    }
  }

  /**
   * The most a sync waits for the callers the previous sync released to append their next records
   * ({@link #gatherCallers}); below that it waits at most as long as the previous sync took, so
   * that gathering costs at most one sync's time and brings several records into it. Far below
   * any caller's {@code flushTimeout}.
   */
  static final long GATHER_BOUND_NANOS = 1_000_000L;

  /**
   * Tests only, before the sync thread starts: the bound of {@link #gatherCallers}.
   *
   * @param nanos the longest a sync waits for released callers
   */
  void gatherBoundNanos(long nanos) {
    gatherBoundNanos = nanos;
  }

  /**
   * The sync thread, without the lock, before a sync that a request started: waits until as many
   * callers have come to wait since the previous sync ended as that sync released, at most
   * {@link #gatherBoundNanos} (by default the previous sync's duration, at most
   * {@link #GATHER_BOUND_NANOS}). Without this the next sync would start as soon as the first
   * released caller was back and cover only its record, the others' going to the sync after, so
   * that four producers split into groups of about two records per sync (issue 23 §2: 1.9,
   * counted with {@code strace -c}). Waiting for the rest of them, who are appending at that
   * moment, lets one sync cover them all. After a sync that released one caller (one producer)
   * the request that started this sync is that caller's: no wait. The wait yields the processor
   * on every turn, so the callers it waits for are not held off it.
   *
   * <p>Holding syncLock. The callers the previous sync released are counted as those who came to
   * wait between its start and the one before's: each appended before it came, so before that
   * sync read the record count.
   */
  private void gatherCallers() {
    long released = lastReleased;
    long since = arrivalsAtLastSync;
    if (released <= 1) {
      return;
    }
    long bound = gatherBoundNanos >= 0 ? gatherBoundNanos : Math.min(GATHER_BOUND_NANOS, lastSyncNanos);
    long start = System.nanoTime();
    while (arrivals.get() - since < released && !closing) {
      if (System.nanoTime() - start >= bound) {
        return;
      }
      Thread.yield();
    }
  }

  /**
   * Holding syncLock: makes every record appended so far durable, then publishes the outcome and
   * wakes the callers waiting in {@link #awaitDurable}, whichever thread ran it. False when the
   * sync failed.
   */
  private boolean syncToEnd() {
    long arrived = arrivals.get(); // before the record count: every caller it counts is covered
    long target = total.get();
    lastReleased = arrived - arrivalsAtLastSync;
    arrivalsAtLastSync = arrived;
    boolean ok;
    try {
      long start = System.nanoTime();
      spool.commit();
      lastSyncNanos = System.nanoTime() - start;
      ok = true;
    } catch (IOException | RuntimeException e) {
      // When an ordinary close won the race with this sync, the spool did not fail: the callers'
      // records are journaled (their waits are counted in spoolSyncTimeouts), no ERROR (item 8).
      if (!closing) {
        degrade(e);
      }
      ok = false;
    }
    syncState.lock();
    try {
      if (!ok) {
        syncFailedThrough = Math.max(syncFailedThrough, target);
      } else if (target > synced) {
        synced = target;
      }
    } finally {
      syncState.unlock();
    }
    syncEnded.signal();
    return ok;
  }

  /** A calling thread's serialization buffer, lent by {@link CallerBuffers} for one append. */
  private static final class CallerBuffer {
    final ByteSink sink = new ByteSink(1024);
    final JsonGenerator gen = MessageSerializer.generator(sink);
  }

  /**
   * The callers' serialization buffers, owned by this journal (issue 20, item 15). Not a
   * {@link ThreadLocal}: in a servlet container the callers are pool threads that outlive the
   * client, and a value in their thread-local maps would keep the web application's class loader
   * alive after it is undeployed. A few slots, chosen by thread id, each holding one idle buffer:
   * a caller takes the buffer of its slot (or makes one when another thread has it) and gives it
   * back after its append; with the journal, the buffers become garbage.
   */
  private static final class CallerBuffers {
    private static final int SLOTS = 16;
    private final java.util.concurrent.atomic.AtomicReferenceArray<CallerBuffer> idle =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(SLOTS);

    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
    private static int slot() {
      return (int) (Thread.currentThread().getId() & (SLOTS - 1));
    }

    CallerBuffer take() {
      CallerBuffer b = idle.getAndSet(slot(), null);
      return b != null ? b : new CallerBuffer();
    }

    void giveBack(CallerBuffer b) {
      idle.lazySet(slot(), b);
    }
  }

  /** Ends a group: commits the appends and publishes {@code lastSeq} to waiting producers. */
  void commit(long lastSeq) {
    if (uncommitted > 0) {
      syncLock.lock();
      try {
        syncToEnd();
      } finally {
        syncLock.unlock();
      }
      uncommitted = 0;
      onCommit.run();
    }
    journaledSeq = lastSeq;
    // Wake the callers this commit released (they parked after spinning); the volatile write
    // above comes first, so a waiter that registers later sees it on its re-check (see Signal).
    journaled.signal();
  }

  /**
   * Callers wait here in {@link #awaitJournaled} and {@link #awaitJournaledUntil}; signalled by
   * each commit, by the journal degrading and by {@link #wakeJournalWaiters()}.
   */
  private final Signal journaled = new Signal(this);

  /**
   * Wakes the callers waiting for a commit so they re-check their stop condition (the consumer
   * sealed the ring, or the journal closed).
   */
  void wakeJournalWaiters() {
    journaled.signal();
  }

  /**
   * Waits until the journal covers {@code seq}: spin, then yield, then park until a commit wakes
   * us (through {@link Signal}: no safety-net timeout). The wait also ends when
   * the journal is degraded (the consumer keeps the message in memory and may itself wait for a
   * request slot, so the caller must not wait for it: its queue policy applies instead), when
   * {@code stop} says the consumer stopped (the caller then settles its message itself), or when
   * the caller is interrupted (the interrupt stays set; the message is accepted and still
   * journaled or sent).
   *
   * @param stop true when waiting is pointless (the consumer stopped)
   */
  void awaitJournaled(long seq, java.util.function.BooleanSupplier stop) {
    // A group commit usually comes within microseconds: spin, then yield, before parking.
    for (int i = 0; i < 96; i++) {
      if (journaledSeq >= seq || degraded) {
        return;
      }
      if (i < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    // Stopped by a commit, the journal degrading, the consumer's seal or close (each signals), or
    // an interrupt, which stays set.
    journaled.await(() -> journaledSeq >= seq || degraded || stop.getAsBoolean(), Signal.NO_DEADLINE);
  }

  /**
   * Waits until the journal covers {@code seq} or the deadline passes ({@code flush}): parks until
   * a commit wakes it, with no timed safety net: {@link #commit} writes {@link #journaledSeq} and
   * then signals, the waiter registers and then reads it (see {@link Signal}). Unlike
   * {@link #awaitJournaled} it does not end when the journal degrades: the consumer still commits
   * on the memory path, which is what a flush waits for.
   *
   * @return true when covered; false at the deadline
   * @throws InterruptedException when the caller is interrupted
   */
  boolean awaitJournaledUntil(long seq, long deadlineNanos) throws InterruptedException {
    return journaled.awaitInterruptibly(() -> journaledSeq >= seq, deadlineNanos);
  }

  /** Callers wait here in {@link #awaitSpace}; signalled by {@link #spaceFreed()}. */
  private final Signal space = new Signal(this);

  /** The spool's bound ({@code maxSpoolBytes}). */
  long maxBytes() {
    return spool.maxBytes();
  }

  /** The spool's backlog as it counts it against {@link #maxBytes()}. */
  long pendingBytes() {
    return spool.pendingBytes();
  }

  /**
   * Waits, outside the engine's admission gate, until the spool has room for {@code bytes} (the
   * {@code block} queue-full policy on a full spool). Woken by {@link #spaceFreed()} (each
   * acknowledgement that lowers the backlog), by the journal degrading or closing, or by the
   * engine's closing ({@link #spaceFreed()} again), after which it checks again: no polling; the
   * only timed wait is the caller's own deadline. The bound holds on the ring path too (messages
   * kept in memory while the journal is degraded reserve their room), so a degraded journal does
   * not end the wait by itself.
   *
   * <p>The hand-off is a {@link Signal}: a waiter registers, then reads the backlog (volatile); a
   * signaller lowers the backlog (a volatile write in the spool), then reads the waiters. One of
   * the two sees the other, and an unpark that comes before the park makes the park return at once.
   *
   * @param bytes the room needed
   * @param deadlineNanos when to give up ({@link System#nanoTime()} clock)
   * @param stop true when waiting is pointless (the client is closing)
   * @return true when there seemed to be room (the caller tries again and may race others for it:
   *     room taken again meanwhile is not a refusal) or {@code stop} said so (the caller's next
   *     attempt sees the close); false when the deadline passed or the caller was interrupted
   */
  boolean awaitSpace(long bytes, long deadlineNanos, java.util.function.BooleanSupplier stop) {
    // Not "&& hasRoom(bytes)" after the wait: room seen and then taken by another caller is a
    // reason to try again, not the end of the wait (that dropped the call before its deadline).
    return space.await(() -> hasRoom(bytes) || stop.getAsBoolean(), deadlineNanos);
  }

  private boolean hasRoom(long bytes) {
    return spool.pendingBytes() + reserved.get() + bytes <= spool.maxBytes();
  }

  /**
   * Wakes every caller waiting in {@link #awaitSpace}: after an acknowledgement, when the journal
   * degrades or closes, and when the engine starts closing. Cheap when nobody waits.
   */
  void spaceFreed() {
    space.signal();
  }

  /**
   * The spool reader acknowledged records, which may have freed disk space (the spool deletes the
   * files wholly acknowledged): wakes the callers waiting for room and, while degraded, tries the
   * spool again at once instead of waiting for the next probe.
   */
  void acknowledged() {
    spaceFreed();
    if (degraded) {
      recover(true);
    }
  }

  /**
   * The periodic duty while degraded (on the engine's scheduler, once a second): tries the spool
   * again, so that a spool that became writable recovers — and {@code stats().spoolDegraded()}
   * says so — without waiting for a message to come through. Cancelled by the recovery and by
   * {@link #close()}. Never throws (a periodic task that throws is silently cancelled).
   */
  private void probeWhileDegraded() {
    try {
      if (degraded) {
        recover(false);
      }
    } catch (Throwable e) {
      LOG.warn("Beacon could not check its degraded spool: {}", e.toString());
    }
  }

  /** True while appends fail and messages go through memory. */
  boolean degraded() {
    return degraded;
  }

  /**
   * Closes the spool once no append is running, so that none runs after; later appends go to the
   * ring (and are reported, the consumer having stopped).
   */
  void close() {
    closing = true;
    syncState.lock();
    try {
      syncStopped = true; // the sync thread ends after the sync it may be running
      syncWanted.signal();
    } finally {
      syncState.unlock();
    }
    syncEnded.signal();
    cancelProbe();
    appendLock.lock();
    try {
      closed = true;
      spool.close();
    } finally {
      appendLock.unlock();
    }
    spaceFreed();
    journaled.signal();
  }

  private synchronized void degrade(Exception e) {
    retryAtNanos = System.nanoTime() + RETRY_NANOS;
    if (!degraded) {
      degraded = true;
      counters.spoolDegraded = true;
      journaled.signal();
      spaceFreed();
      LOG.error("Beacon's spool failed ({}); messages are kept in memory only, without crash protection,"
          + " until it recovers. See stats().spoolDegraded().", e.toString());
      if (probes != null && probe == null && !closing) {
        try {
          probe = probes.scheduleWithFixedDelay(this::probeWhileDegraded, RETRY_NANOS, RETRY_NANOS,
              java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          // the engine is closing: nothing left to recover for
        }
      }
    }
  }

  private synchronized void cancelProbe() {
    if (probe != null) {
      probe.cancel(false);
      probe = null;
    }
  }

  /** The consumer's retry (ring path): at most once a second. */
  private boolean recovered() {
    return recover(false);
  }

  /**
   * Tries the spool again while degraded.
   *
   * @param now true to try even when the last try was less than a second ago (an event that may
   *     have freed space)
   * @return true when it is writable again (the journal is no longer degraded)
   */
  private synchronized boolean recover(boolean now) {
    if (!degraded) {
      return true;
    }
    long t = System.nanoTime();
    if (!now && t - retryAtNanos < 0) {
      return false;
    }
    retryAtNanos = t + RETRY_NANOS;
    boolean ok;
    try {
      ok = spool.writable();
    } catch (RuntimeException e) {
      ok = false;
    }
    if (ok) {
      degraded = false;
      counters.spoolDegraded = false;
      cancelProbe();
      LOG.info("Beacon's spool is writable again; new messages are journaled");
    }
    return ok;
  }
}
