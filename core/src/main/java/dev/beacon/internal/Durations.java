package dev.beacon.internal;

import java.time.Duration;

/**
 * Duration arithmetic that cannot overflow. Users may pass {@code ChronoUnit.FOREVER} or
 * {@code Duration.ofMillis(Long.MAX_VALUE)} as a timeout, which {@link Duration#toNanos()} cannot
 * represent; every wait in the engine converts through here. Not API.
 */
public final class Durations {
  /**
   * The longest wait, in nanoseconds: about 73 years. Small enough that {@code System.nanoTime() +
   * MAX_NANOS} and the {@code now - deadline < 0} comparisons the engine makes never overflow.
   */
  public static final long MAX_NANOS = Long.MAX_VALUE / 4;

  private Durations() {}

  /**
   * Converts a duration to nanoseconds, saturating at {@link #MAX_NANOS}; negative is 0.
   *
   * @param d a duration, not null
   * @return nanoseconds in {@code [0, MAX_NANOS]}
   */
  public static long toNanos(Duration d) {
    if (d.isNegative()) {
      return 0;
    }
    if (d.getSeconds() >= MAX_NANOS / 1_000_000_000L) {
      return MAX_NANOS;
    }
    return Math.min(MAX_NANOS, d.toNanos());
  }

  /**
   * Returns the deadline {@code timeout} after {@code startNanos}, on the {@link System#nanoTime()}
   * scale.
   *
   * @param startNanos a {@code System.nanoTime()} reading
   * @param timeout how long, not null
   * @return the deadline
   */
  public static long deadline(long startNanos, Duration timeout) {
    return startNanos + toNanos(timeout);
  }
}
