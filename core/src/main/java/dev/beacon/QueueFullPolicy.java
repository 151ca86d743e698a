package dev.beacon;

import java.time.Duration;
import java.util.Objects;

/**
 * What a call does when the queue is full. Either way nothing is lost silently: a refused call
 * returns {@code false} and is counted in {@link Stats#droppedByReason()}.
 */
public final class QueueFullPolicy {
  private static final QueueFullPolicy DROP_NEWEST = new QueueFullPolicy(Duration.ZERO);

  private final Duration blockTimeout;

  private QueueFullPolicy(Duration blockTimeout) {
    this.blockTimeout = blockTimeout;
  }

  /**
   * Refuse the new message at once (the default): the call never waits.
   *
   * @return the policy
   */
  public static QueueFullPolicy dropNewest() {
    return DROP_NEWEST;
  }

  /**
   * Wait up to {@code timeout} for room, then refuse. A call made on a Beacon thread (for example
   * inside the error callback) never waits, so it cannot deadlock the client.
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
