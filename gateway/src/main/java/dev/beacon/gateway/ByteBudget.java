package dev.beacon.gateway;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes the gateway may hold at once. A request reserves its whole body before it
 * is read; when that does not fit, its connection waits, in arrival order, and is granted room as
 * answers release bytes. Because a reservation is never taken back before its request is answered,
 * every body whose reading started can finish: the gateway cannot wedge itself with half-read
 * bodies. Thread-safe.
 */
final class ByteBudget {
  /** A connection waiting for room. */
  interface Waiter {
    /** The bytes it needs. */
    long reservation();

    /** Called (on any thread, at most once) once its bytes are reserved for it. */
    void granted();
  }

  private final long max;
  private final AtomicLong held = new AtomicLong();
  /** Guarded by itself; waiters are granted only from the head, so nobody is passed over. */
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

  ByteBudget(long max) {
    this.max = max;
  }

  /** Bytes reserved now. */
  long held() {
    return held.get();
  }

  /** Connections waiting now. */
  int waiting() {
    synchronized (waiting) {
      return waiting.size();
    }
  }

  /**
   * Reserves {@code bytes} when they fit and nobody waits before them.
   *
   * @return false when the caller must {@link #waitForRoom wait}
   */
  boolean tryReserve(long bytes) {
    synchronized (waiting) {
      return waiting.isEmpty() && reserve(bytes);
    }
  }

  private boolean reserve(long bytes) {
    long cur;
    do {
      cur = held.get();
      // A request no larger than the budget always fits in an empty one, so every wait ends.
      if (cur > 0 && cur + bytes > max) {
        return false;
      }
    } while (!held.compareAndSet(cur, cur + bytes));
    return true;
  }

  /**
   * Queues a waiter after a failed {@link #tryReserve}. Bytes released between that failure and
   * this call are not missed: room is looked for again here, under the queue's lock.
   */
  void waitForRoom(Waiter w) {
    synchronized (waiting) {
      waiting.addLast(w);
    }
    grant();
  }

  /**
   * Takes a waiter out of the queue (its connection closed).
   *
   * @return false when it was already granted (its reservation is then the caller's to release)
   */
  boolean stopWaiting(Waiter w) {
    synchronized (waiting) {
      return waiting.remove(w);
    }
  }

  /** Releases a request's bytes and grants room to the waiters it makes room for. */
  void release(long bytes) {
    held.addAndGet(-bytes);
    grant();
  }

  private void grant() {
    ArrayDeque<Waiter> granted = new ArrayDeque<>();
    synchronized (waiting) {
      Waiter w;
      while ((w = waiting.peekFirst()) != null && reserve(w.reservation())) {
        granted.add(waiting.pollFirst());
      }
    }
    // Outside the lock: a waiter's callback may do anything (schedule on its event loop).
    for (Waiter w : granted) {
      w.granted();
    }
  }
}
