package dev.beacon.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.beacon.Message;
import dev.beacon.spi.Spool;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journaling stage: on the consumer thread, appends each message from the ring to the spool
 * and commits once per group (everything one poll of the ring returned), then publishes the
 * highest journaled ring sequence, which producers wait for. When the spool fails it degrades to
 * memory mode with one ERROR, and tries again once a second. Not API.
 */
final class Journal {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");
  private static final long RETRY_NANOS = 1_000_000_000L;

  private final Spool spool;
  private final Counters counters;
  private final Runnable onCommit;
  private final ByteSink sink = new ByteSink(4096);
  private JsonGenerator gen = MessageSerializer.generator(sink);
  /** Written by the journaling thread; read by producers, which do not wait for a degraded journal. */
  private volatile boolean degraded;
  private long retryAtNanos;
  private int uncommitted;
  /** Records in the spool this run could read: recovered at open plus those appended and committed. */
  private final AtomicLong total = new AtomicLong();
  /** Highest ring sequence whose message is journaled (or, degraded, in the memory pipeline). */
  private volatile long journaledSeq = -1;

  Journal(Spool spool, Counters counters, Runnable onCommit) {
    this.spool = spool;
    this.counters = counters;
    this.onCommit = onCommit;
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
    release(m.serializedSizeBound());
    if (degraded && !recovered()) {
      return false;
    }
    sink.truncate(0);
    try {
      MessageSerializer.write(gen, m);
      gen.flush();
    } catch (IOException | RuntimeException e) {
      sink.truncate(0);
      gen = MessageSerializer.generator(sink);
      throw e instanceof IOException ? (IOException) e : new IOException(e);
    }
    if (spool.pendingBytes() + sink.size() > spool.maxBytes()) {
      return false;
    }
    try {
      spool.append(sink.array(), 0, sink.size());
      uncommitted++;
      return true;
    } catch (IOException | RuntimeException e) {
      degrade(e);
      return false;
    }
  }

  /** Ends a group: commits the appends and publishes {@code lastSeq} to waiting producers. */
  void commit(long lastSeq) {
    if (uncommitted > 0) {
      try {
        spool.commit();
      } catch (IOException | RuntimeException e) {
        degrade(e);
      }
      total.addAndGet(uncommitted);
      uncommitted = 0;
      onCommit.run();
    }
    journaledSeq = lastSeq;
    // Wake the callers this commit released (they parked after spinning); the volatile write
    // above comes first, so a waiter that registers later sees it on its re-check.
    if (!parked.isEmpty()) {
      for (Thread t : parked) {
        java.util.concurrent.locks.LockSupport.unpark(t);
      }
    }
  }

  /** Callers parked in {@link #awaitJournaled}; woken by each commit. */
  private final java.util.Set<Thread> parked = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Waits until the journal covers {@code seq}: spin, then yield, then park until a commit wakes
   * us (a 1 ms timeout is only a safety net against a missed wake-up). The wait also ends when
   * the journal is degraded (the consumer keeps the message in memory and may itself wait for a
   * request slot, so the caller must not wait for it: its queue policy applies instead), when
   * {@code stop} says the consumer stopped (the caller then settles its message itself), or when
   * the caller is interrupted (the interrupt stays set; the message is accepted and still
   * journaled or sent).
   *
   * @param stop true when waiting is pointless (the consumer stopped)
   */
  void awaitJournaled(long seq, java.util.function.BooleanSupplier stop) {
    for (int i = 0; journaledSeq < seq && !degraded; i++) {
      if (i < 64) {
        Thread.onSpinWait();
      } else if (i < 96) {
        Thread.yield();
      } else {
        Thread me = Thread.currentThread();
        parked.add(me);
        try {
          if (journaledSeq < seq && !degraded) {
            java.util.concurrent.locks.LockSupport.parkNanos(this, 1_000_000L);
          }
        } finally {
          parked.remove(me);
        }
        if (stop.getAsBoolean() || me.isInterrupted()) {
          return;
        }
      }
    }
  }

  /** True while appends fail and messages go through memory. */
  boolean degraded() {
    return degraded;
  }

  private void degrade(Exception e) {
    retryAtNanos = System.nanoTime() + RETRY_NANOS;
    if (!degraded) {
      degraded = true;
      counters.spoolDegraded = true;
      for (Thread t : parked) {
        java.util.concurrent.locks.LockSupport.unpark(t);
      }
      LOG.error("Beacon's spool failed ({}); messages are kept in memory only, without crash protection,"
          + " until it recovers. See stats().spoolDegraded().", e.toString());
    }
  }

  private boolean recovered() {
    long now = System.nanoTime();
    if (now - retryAtNanos < 0) {
      return false;
    }
    retryAtNanos = now + RETRY_NANOS;
    boolean ok;
    try {
      ok = spool.writable();
    } catch (RuntimeException e) {
      ok = false;
    }
    if (ok) {
      degraded = false;
      counters.spoolDegraded = false;
      LOG.info("Beacon's spool is writable again; new messages are journaled");
    }
    return ok;
  }
}
