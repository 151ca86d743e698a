package dev.beacon.internal;

import java.util.TreeMap;

/**
 * Knows the lowest ring sequence not yet finished, so {@code flush()} can wait for exactly the
 * messages accepted before it. Batches cover contiguous sequence ranges; a batch is open from the
 * moment its first message is consumed until it is delivered or reported. Not API.
 */
final class Tracker {
  /** First sequence of every open batch handed to the dispatcher, as a multiset. */
  private final TreeMap<Long, Integer> open = new TreeMap<>();
  /** First sequence of the batch the consumer is assembling, or -1. */
  private volatile long assembling = -1;
  /** Highest sequence the consumer has taken from the ring. */
  private volatile long processed = -1;
  private volatile int waiters;

  void assembling(long firstSeq) {
    assembling = firstSeq;
  }

  void processed(long seq) {
    processed = seq;
  }

  /** The consumer cut its batch: record it as open before clearing {@link #assembling}. */
  synchronized void cut(long firstSeq) {
    open.merge(firstSeq, 1, Integer::sum);
    assembling = -1;
  }

  synchronized void finished(long firstSeq) {
    open.computeIfPresent(firstSeq, (k, v) -> v == 1 ? null : v - 1);
    if (waiters > 0) {
      notifyAll();
    }
  }

  /** Every sequence below the result is finished. */
  synchronized long watermark() {
    long w = processed + 1;
    long a = assembling;
    if (a >= 0 && a < w) {
      w = a;
    }
    if (!open.isEmpty()) {
      w = Math.min(w, open.firstKey());
    }
    return w;
  }

  void progressed() {
    if (waiters > 0) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /**
   * Waits until every sequence up to {@code target} is finished.
   *
   * @return true when it is, false when the deadline passed first
   */
  synchronized boolean await(long target, long deadlineNanos) throws InterruptedException {
    waiters++;
    try {
      while (watermark() <= target) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // Short waits bound the cost of a missed wake-up from the lock-free consumer side.
        long ms = Math.max(1, Math.min(20, left / 1_000_000));
        wait(ms);
      }
      return true;
    } finally {
      waiters--;
    }
  }
}
