package dev.beacon.spool.chronicle;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.io.ReferenceOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Touches the pages just ahead of the journal's write position, on its own thread, so that the
 * threads that append (with {@code PROCESS_CRASH} a {@code track()} call writes its record into
 * the mapped file itself) do not take the page fault of the first write to each page of the cycle
 * file: measured 4&ndash;15&nbsp;&micro;s on this project's virtual machines, once every ten records
 * of 400 bytes. The appender then finds the page mapped and writable.
 *
 * <p>It touches through the appender's own mapping (the page table entries are the process's, so a
 * touch from any thread serves the appender), with a compare-and-swap of a zero long to zero at the
 * start of each page, as Chronicle's {@code MicroToucher} does on the appending thread: the swap
 * changes nothing (where the appender already wrote, it fails), so it needs no coordination with
 * appends. The mapped chunk it touches is reserved for it ({@link BytesStore#reserve}) by the
 * appending thread when the appender moves to it, and released by this thread when it moves on or
 * stops, so a chunk is never unmapped while this thread touches it. Chronicle's own background
 * pre-toucher is an enterprise feature.
 *
 * <p>Not used with {@code OS_CRASH}: a touch dirties the page, so every sync would also write the
 * empty pages ahead, and the write-back leaves them write-protected again for the appender.
 *
 * <p>Idle cost: the thread parks while the appender stays more than half of {@link #ahead} behind
 * what it has touched, and is woken by the append that crosses that mark (about one wake-up per
 * {@code ahead / 2} bytes written), by the hand-over of a new chunk, or by close. Its work is
 * driven by appends only (nothing ages), so it parks with no timeout: after setting the mark it
 * re-checks the appender's position, and the appender publishes its position before it reads the
 * mark, so either the thread sees the crossing or the appender sees the mark and wakes it (issue
 * 20; the 200&nbsp;ms park it replaced only covered that missed crossing). At the end of the
 * chunk or of the file it waits for the hand-over alone. A failure is logged once (WARN) and ends
 * the touching, never the appends: touching is an optimisation.
 */
final class PageWarmer implements Runnable, ReferenceOwner {
  private static final Logger LOG = LoggerFactory.getLogger(PageWarmer.class);
  /** What is kept touched ahead of the write position. */
  static final long DEFAULT_AHEAD = 1L << 20;
  private static final long PAGE = 4096;

  private final long ahead;
  /** A chunk reserved for this thread by the appender, not yet taken. */
  private final AtomicReference<BytesStore<?, ?>> handedOver = new AtomicReference<>();
  /** Published by the appender after each append: where it wrote up to. */
  private volatile long position;
  /**
   * Published with {@link #position}: where the appender's file ends (it rolls to a new file
   * there), so pages past it, which would only take disk space, are not touched.
   */
  private volatile long limit = Long.MAX_VALUE;
  /** The appender wakes the thread when its position passes this mark. */
  private volatile long wakeAt;
  private volatile boolean closed;
  /** Set by the thread when it ends (closed or failed): no chunk is handed over any more. */
  private volatile boolean ended;
  private volatile Thread thread;
  /** Pages touched, for tests. */
  private volatile long touched;
  /** Tests only (see {@link Probe}); read once per round of touching. */
  private volatile Probe probe;

  // Appending thread (one at a time).
  private BytesStore<?, ?> lastOffered;

  // Warmer thread.
  private BytesStore<?, ?> store;
  private long touchedTo;

  PageWarmer(long ahead) {
    this.ahead = ahead;
  }

  /**
   * Starts the thread from the client's factory; one left with a JDK default name
   * ({@code Thread-N}, {@code pool-...}) is renamed {@code name}. If the factory fails, nothing is
   * touched ahead and appends go on without it.
   */
  void start(java.util.concurrent.ThreadFactory threads, String name) {
    Thread t;
    try {
      t = threads.newThread(this);
    } catch (RuntimeException e) {
      LOG.debug("The thread factory refused the spool's page warmer ({}); appends go on without it", e.toString());
      return;
    }
    if (t == null) {
      return;
    }
    String current = t.getName();
    if (current.startsWith("Thread-") || current.startsWith("pool-")) {
      t.setName(name);
    }
    thread = t;
    t.start();
  }

  /**
   * Called by the appending thread after each append, while the appender holds {@code chunk}:
   * where the journal now ends. A reference comparison and a volatile read unless the appender
   * moved to another chunk or the thread must be woken.
   */
  void appended(BytesStore<?, ?> chunk, long end) {
    appended(chunk, end, Long.MAX_VALUE);
  }

  /**
   * As {@link #appended(BytesStore, long)}, with {@code fileEnd}: the position past which the
   * appender will not write in this file (it rolls to a new one); nothing past it is touched.
   */
  void appended(BytesStore<?, ?> chunk, long end, long fileEnd) {
    Thread t = thread;
    if (t == null) {
      return; // never started: nothing to hand over
    }
    limit = fileEnd;
    position = end;
    if (chunk != lastOffered) {
      lastOffered = chunk;
      // A thread that ended (a failed touch, or a factory thread that never ran us) takes nothing:
      // a chunk reserved for it would never be released, so never unmapped (issue 20, item 9).
      if (closed || ended || chunk == null || !t.isAlive() || !chunk.tryReserve(this)) {
        return;
      }
      BytesStore<?, ?> old = handedOver.getAndSet(chunk);
      if (old != null) {
        old.release(this); // never taken by the thread
      }
      if (ended) {
        // It ended while we handed over (its last release may have run before our set): take it back.
        BytesStore<?, ?> back = handedOver.getAndSet(null);
        if (back != null) {
          back.release(this);
        }
        return;
      }
      wakeAt = Long.MAX_VALUE;
      LockSupport.unpark(t);
    } else if (end >= wakeAt) {
      wakeAt = Long.MAX_VALUE; // one wake-up per crossing
      LockSupport.unpark(t);
    }
  }

  /** True once the thread has ended (after {@link #close}), or when it never started. */
  boolean stopped() {
    Thread t = thread;
    return t == null || !t.isAlive();
  }

  /** Pages touched so far. */
  long pagesTouched() {
    return touched;
  }

  /**
   * Stops the thread and waits up to {@code timeoutMillis} for it to release its chunks (it ends
   * within one round of at most {@link #ahead} bytes). Called once no append can run.
   */
  void close(long timeoutMillis) {
    closed = true;
    Thread t = thread;
    if (t == null) {
      releaseAll();
      return;
    }
    LockSupport.unpark(t);
    try {
      t.join(TimeUnit.MILLISECONDS.toMillis(timeoutMillis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!t.isAlive()) {
      // Ended (join: its writes are visible here): whatever it or a hand-over left is released,
      // also when the thread died long before, or never ran this runnable.
      releaseAll();
    }
  }

  @Override
  public void run() {
    try {
      while (!closed) {
        touchAhead();
        // Re-check, after writing the mark (a volatile write), everything a waker signals: close,
        // a hand-over (both always unpark) and the appender's position (it unparks only when it
        // reads a mark it crossed). No timeout: see the class comment.
        if (!closed && handedOver.get() == null && position < wakeAt) {
          Probe p = probe;
          if (p != null) {
            p.parking();
          }
          LockSupport.park(this);
        }
      }
    } catch (RuntimeException | InternalError e) {
      // InternalError: the JVM's report of a fault in a memory-mapped access (a page the file system
      // could not back, e.g. on a disk filled by another process). Touching is an optimisation: stop.
      LOG.warn("Beacon's spool stopped touching its journal's pages ahead of the writer ({}); appends go on",
          e.toString());
    } finally {
      ended = true;
      releaseAll();
    }
  }

  private void touchAhead() {
    BytesStore<?, ?> next = handedOver.getAndSet(null);
    if (next != null) {
      if (store != null) {
        store.release(this);
      }
      store = next;
      touchedTo = Math.max(store.start(), position) & ~(PAGE - 1);
    }
    BytesStore<?, ?> s = store;
    if (s == null) {
      wakeAt = Long.MAX_VALUE; // nothing to touch before the first hand-over, which wakes us
      return;
    }
    long target = Math.min(position + ahead, limit);
    long n = 0;
    while (touchedTo < target && !closed && handedOver.get() == null && s.inside(touchedTo, 8)) {
      s.compareAndSwapLong(touchedTo, 0L, 0L);
      touchedTo += PAGE;
      n++;
    }
    touched += n;
    Probe p = probe;
    if (p != null) {
      p.marking();
    }
    // At the end of the chunk or of the file, wait for the appender's move to the next chunk (a
    // hand-over, which wakes us): no append in this one needs another touch.
    wakeAt = touchedTo >= limit || !s.inside(touchedTo, 8) ? Long.MAX_VALUE : touchedTo - ahead / 2;
  }

  /** Tests only: observes the next rounds of touching (see {@link Probe}). */
  void probe(Probe probe) {
    this.probe = probe;
  }

  /**
   * A test seam into the thread's idle wait: the two points between which a lost wake-up would
   * hide. Production code never sets one.
   */
  interface Probe {
    /** The thread touched what it read the appender needs and has not yet written its next mark. */
    void marking();

    /** The thread re-checked what its wakers signal, found nothing to do, and parks now. */
    void parking();
  }

  /**
   * Releases every chunk this thread holds or was handed: on the thread when it ends, and again in
   * {@link #close} once it has ended (idempotent).
   */
  private void releaseAll() {
    BytesStore<?, ?> s = store;
    store = null;
    if (s != null) {
      s.release(this);
    }
    BytesStore<?, ?> left = handedOver.getAndSet(null);
    if (left != null) {
      left.release(this);
    }
  }
}
