package dev.beacon;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How failed attempts are retried: exponential backoff with jitter, a retry count, and a total
 * deadline, following Segment's 2026 rules. A server's {@code Retry-After} (capped at
 * {@link #MAX_RETRY_AFTER}) replaces the backoff for that attempt and does not count as a retry.
 *
 * <p>Defaults: base {@value #DEFAULT_BASE_MILLIS} ms, cap {@value #DEFAULT_MAX_DELAY_SECONDS} s,
 * {@value #DEFAULT_MAX_RETRIES} retries, total deadline {@value #DEFAULT_DEADLINE_HOURS} h, jitter
 * on. The n-th backoff is a random value between half and all of {@code min(cap, base * 2^n)}.
 */
public final class RetryPolicy {
  /** Default first backoff in milliseconds. */
  public static final long DEFAULT_BASE_MILLIS = 500;
  /** Default longest backoff in seconds. */
  public static final long DEFAULT_MAX_DELAY_SECONDS = 60;
  /** Default number of retries after the first attempt. */
  public static final int DEFAULT_MAX_RETRIES = 10;
  /** Default total deadline in hours, measured from the batch's first attempt (Segment's value). */
  public static final long DEFAULT_DEADLINE_HOURS = 12;
  /** Longest {@code Retry-After} honoured. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(300);

  private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
  private static final RetryPolicy DEFAULTS = builder().build();

  private final Duration baseDelay;
  private final Duration maxDelay;
  private final int maxRetries;
  private final Duration totalDeadline;
  private final boolean jitter;

  private RetryPolicy(Builder b) {
    this.baseDelay = b.baseDelay;
    this.maxDelay = b.maxDelay;
    this.maxRetries = b.maxRetries;
    this.totalDeadline = b.totalDeadline;
    this.jitter = b.jitter;
  }

  /**
   * Returns the default policy.
   *
   * @return 500 ms base, 60 s cap, 10 retries, 12 h deadline, jitter
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A policy that never retries: the first failure is final.
   *
   * @return the policy
   */
  public static RetryPolicy none() {
    return builder().maxRetries(0).build();
  }

  /**
   * Starts a policy from the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the first backoff.
   *
   * @return the base delay
   */
  public Duration baseDelay() {
    return baseDelay;
  }

  /**
   * Returns the longest backoff.
   *
   * @return the cap
   */
  public Duration maxDelay() {
    return maxDelay;
  }

  /**
   * Returns the number of retries after the first attempt.
   *
   * @return the retry budget
   */
  public int maxRetries() {
    return maxRetries;
  }

  /**
   * Returns the total time a batch may spend being retried.
   *
   * @return the deadline
   */
  public Duration totalDeadline() {
    return totalDeadline;
  }

  /**
   * Returns whether backoffs are randomized.
   *
   * @return true when jitter is on
   */
  public boolean jitter() {
    return jitter;
  }

  /**
   * Returns the wait before retry number {@code retry} (0-based): {@code baseDelay * 2^retry},
   * capped at {@code maxDelay} for any retry count, then jittered when {@link #jitter()} is on.
   *
   * @param retry how many retries were made already; a negative count is treated as 0
   * @return the backoff, never negative and never above {@link #maxDelay()}
   */
  public Duration backoff(int retry) {
    long cap = saturatedNanos(maxDelay);
    long base = Math.min(saturatedNanos(baseDelay), cap);
    int shift = Math.max(0, retry);
    // base << shift stays a positive long only while the shift is below base's leading zeros:
    // past that the doubling wrapped (to 0 for the default 500 ms at retry 56) before the cap.
    long d = shift < Long.numberOfLeadingZeros(base) ? Math.min(cap, base << shift) : cap;
    if (jitter && d > 1) {
      d = d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
    }
    return Duration.ofNanos(d);
  }

  /** {@code d.toNanos()}, saturated at {@code Long.MAX_VALUE} (about 292 years) instead of throwing. */
  private static long saturatedNanos(Duration d) {
    return d.compareTo(MAX_NANOS) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  @Override
  public String toString() {
    return "RetryPolicy{baseDelay=" + baseDelay + ", maxDelay=" + maxDelay + ", maxRetries="
        + maxRetries + ", totalDeadline=" + totalDeadline + ", jitter=" + jitter + "}";
  }

  /** Builder of {@link RetryPolicy}; every setter is validated at once. */
  public static final class Builder {
    private Duration baseDelay = Duration.ofMillis(DEFAULT_BASE_MILLIS);
    private Duration maxDelay = Duration.ofSeconds(DEFAULT_MAX_DELAY_SECONDS);
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration totalDeadline = Duration.ofHours(DEFAULT_DEADLINE_HOURS);
    private boolean jitter = true;

    private Builder() {}

    /**
     * Sets the first backoff. Default 500 ms.
     *
     * @param baseDelay positive
     * @return this builder
     */
    public Builder baseDelay(Duration baseDelay) {
      this.baseDelay = positive(baseDelay, "baseDelay");
      return this;
    }

    /**
     * Sets the longest backoff. Default 60 s.
     *
     * @param maxDelay positive
     * @return this builder
     */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = positive(maxDelay, "maxDelay");
      return this;
    }

    /**
     * Sets the number of retries after the first attempt. Default 10.
     *
     * @param maxRetries 0 or more
     * @return this builder
     */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be >= 0 but was " + maxRetries);
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * Sets the total time a batch may spend being retried. Default 12 h.
     *
     * @param totalDeadline positive
     * @return this builder
     */
    public Builder totalDeadline(Duration totalDeadline) {
      this.totalDeadline = positive(totalDeadline, "totalDeadline");
      return this;
    }

    /**
     * Turns jitter on or off. Default on; off only for reproducible tests.
     *
     * @param jitter whether to randomize backoffs
     * @return this builder
     */
    public Builder jitter(boolean jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException when maxDelay is shorter than baseDelay
     */
    public RetryPolicy build() {
      if (maxDelay.compareTo(baseDelay) < 0) {
        throw new IllegalArgumentException("maxDelay (" + maxDelay + ") must not be shorter than baseDelay ("
            + baseDelay + ")");
      }
      return new RetryPolicy(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
      return d;
    }
  }
}
