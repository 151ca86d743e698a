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
  /** Flush and close wait here; signalled by every change that can raise the watermark. */
  private final Signal progress = new Signal();

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

  void finished(long firstSeq) {
    synchronized (this) {
      open.computeIfPresent(firstSeq, (k, v) -> v == 1 ? null : v - 1);
    }
    progress.signal(); // after the monitor's release: see Signal
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

  /**
   * Wakes the waiters after {@link #processed} or {@link #assembling} changed (volatile writes, so
   * {@link Signal#signal()} suffices): one volatile read when nobody waits.
   */
  void progressed() {
    progress.signal();
  }

  /**
   * Waits until every sequence up to {@code target} is finished. Woken by {@link #finished} and
   * {@link #progressed()}; the only timed wait is the caller's deadline.
   *
   * @return true when it is, false when the deadline passed first
   */
  boolean await(long target, long deadlineNanos) throws InterruptedException {
    return progress.awaitInterruptibly(() -> watermark() > target, deadlineNanos);
  }
}
