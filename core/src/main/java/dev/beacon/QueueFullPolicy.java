package dev.beacon;

import java.time.Duration;
import java.util.Objects;

/**
 * What a call does when there is no room for its message: the in-memory queue is full
 * ({@code maxQueueSize}, {@code maxQueueBytes}) or, with a spool, the spool's backlog reached
 * {@code maxSpoolBytes}. Both limits are governed alike, with every
 * {@link dev.beacon.SpoolDurability}. Either way nothing is lost silently: a refused call returns
 * {@code false}, is counted in {@link Stats#droppedByReason()} ({@link DropReason#QUEUE_FULL},
 * {@link DropReason#QUEUE_BYTES_FULL} or {@link DropReason#SPOOL_FULL}) and logged at WARN (rate
 * limited) with the limit that was hit and its value.
 */
public final class QueueFullPolicy {
  private static final QueueFullPolicy DROP_NEWEST = new QueueFullPolicy(Duration.ZERO);

  private final Duration blockTimeout;

  private QueueFullPolicy(Duration blockTimeout) {
    this.blockTimeout = blockTimeout;
  }

  /**
   * Refuse the new message at once (the default), whether the queue or the spool is full: the call
   * never waits.
   *
   * @return the policy
   */
  public static QueueFullPolicy dropNewest() {
    return DROP_NEWEST;
  }

  /**
   * Wait up to {@code timeout} for room, then refuse. On a full spool the caller sleeps until an
   * acknowledgement (a delivered batch) frees room, and is woken by it, not by polling; on a full
   * queue it sleeps until the consumer takes messages or a finished batch releases its bytes, and
   * is woken by that too. The wait happens outside the client's
   * admission gate: {@code close()} never waits for it, and a caller waiting when the client
   * closes is refused as {@link DropReason#CLOSED}. A message larger than {@code maxSpoolBytes}
   * is refused at once. A call made on a Beacon thread (for example inside the error callback)
   * never waits, so it cannot deadlock the client.
   *
   * @param timeout the longest wait, positive
   * @return the policy
   * @throws IllegalArgumentException when the timeout is not positive
   */
  public static QueueFullPolicy block(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("QueueFullPolicy.block timeout must be positive but was " + timeout);
    }
    return new QueueFullPolicy(timeout);
  }

  /**
   * Returns how long a call may wait for room.
   *
   * @return zero for drop-newest
   */
  public Duration blockTimeout() {
    return blockTimeout;
  }

  /**
   * Returns whether calls wait for room.
   *
   * @return true for {@link #block(Duration)}
   */
  public boolean blocks() {
    return !blockTimeout.isZero();
  }

  @Override
  public String toString() {
    return blocks() ? "block(" + blockTimeout + ")" : "dropNewest";
  }
}
