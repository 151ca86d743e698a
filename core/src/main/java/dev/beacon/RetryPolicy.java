package dev.beacon;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * How failed attempts are retried: exponential backoff with jitter, a retry count, and a total
 * deadline, following Segment's 2026 rules. A server's {@code Retry-After} (capped at
 * {@link #MAX_RETRY_AFTER}) replaces the backoff for that attempt and does not count as a retry.
 *
 * <p>Defaults: base {@value #DEFAULT_BASE_MILLIS} ms, cap {@value #DEFAULT_MAX_DELAY_SECONDS} s,
 * {@value #DEFAULT_MAX_RETRIES} retries, total deadline {@value #DEFAULT_DEADLINE_HOURS} h, jitter
 * on. The n-th backoff is a random value between half and all of {@code min(cap, base * 2^n)}.
 *
 * <p>The policy is applied in one place, {@link Schedule} (one per batch, from {@link #start}):
 * the client's engine and the Kafka relay both ask it what follows each retryable failure.
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

  /**
   * Starts applying this policy to one batch: the total deadline counts from {@code startNanos}.
   *
   * @param startNanos when the batch's first attempt started ({@link System#nanoTime()} clock)
   * @return the batch's schedule, with no retry made yet
   */
  public Schedule start(long startNanos) {
    return new Schedule(this, startNanos);
  }

  /**
   * What follows each retryable failure of one batch under a {@link RetryPolicy}: the one
   * implementation of Segment's retry rules in Beacon, used by the client's dispatcher (which
   * waits on its scheduler) and by the Kafka relay (which waits on its delivery thread with
   * {@link #awaitDelay}).
   *
   * <ul>
   *   <li>A positive {@code Retry-After} is honoured, capped at {@link #MAX_RETRY_AFTER}, and does
   *       not count as a retry. A zero or negative one is treated as no header: an ordinary,
   *       counted backoff, so a server that keeps answering it cannot make a client loop without
   *       pause until the deadline.
   *   <li>Otherwise the next {@link RetryPolicy#backoff backoff}, counted against
   *       {@link RetryPolicy#maxRetries()}; once they are spent the verdict is
   *       {@link Verdict#RETRIES_EXHAUSTED}.
   *   <li>A retry that would start after {@link RetryPolicy#totalDeadline()} (counted from the
   *       start) is {@link Verdict#DEADLINE_EXCEEDED}.
   * </ul>
   *
   * <p>Not thread-safe: one batch is retried by one thread at a time.
   */
  public static final class Schedule {
    /** What a retryable failure leads to. */
    public enum Verdict {
      /** Try again after {@link Schedule#delayNanos()}. */
      RETRY,
      /** The retry budget ({@link RetryPolicy#maxRetries()}) is spent: the failure is final. */
      RETRIES_EXHAUSTED,
      /** The next attempt would start past {@link RetryPolicy#totalDeadline()}: the failure is final. */
      DEADLINE_EXCEEDED
    }

    private static final long MAX_RETRY_AFTER_NANOS = MAX_RETRY_AFTER.toNanos();

    private final RetryPolicy policy;
    private final long startNanos;
    private final long deadlineNanos;
    private int retries;
    private long delayNanos;

    private Schedule(RetryPolicy policy, long startNanos) {
      this.policy = policy;
      this.startNanos = startNanos;
      this.deadlineNanos = saturatedNanos(policy.totalDeadline);
    }

    /**
     * Decides what follows a retryable failure, now.
     *
     * @param retryAfter the server's {@code Retry-After}, or null when it sent none
     * @return {@link Verdict#RETRY} with {@link #delayNanos()} set, or why the failure is final
     */
    public Verdict onRetryableFailure(Duration retryAfter) {
      return onRetryableFailure(retryAfter, System.nanoTime());
    }

    /**
     * Decides what follows a retryable failure at {@code nowNanos}.
     *
     * @param retryAfter the server's {@code Retry-After}, or null when it sent none
     * @param nowNanos the time of the failure ({@link System#nanoTime()} clock)
     * @return {@link Verdict#RETRY} with {@link #delayNanos()} set, or why the failure is final
     */
    public Verdict onRetryableFailure(Duration retryAfter, long nowNanos) {
      long delay;
      if (retryAfter != null && retryAfter.compareTo(Duration.ZERO) > 0) {
        delay = Math.min(MAX_RETRY_AFTER_NANOS, saturatedNanos(retryAfter));
      } else {
        if (retries >= policy.maxRetries) {
          return Verdict.RETRIES_EXHAUSTED;
        }
        delay = saturatedNanos(policy.backoff(retries));
        retries++;
      }
      long elapsed = nowNanos - startNanos;
      if (elapsed > deadlineNanos - delay) { // elapsed + delay > deadline, without overflow
        return Verdict.DEADLINE_EXCEEDED;
      }
      delayNanos = delay;
      return Verdict.RETRY;
    }

    /**
     * Returns the wait before the next attempt, as decided by the last {@link Verdict#RETRY}.
     *
     * @return nanoseconds, 0 before any retry
     */
    public long delayNanos() {
      return delayNanos;
    }

    /**
     * Returns the retries counted against {@link RetryPolicy#maxRetries()} so far (waits for a
     * {@code Retry-After} are not counted).
     *
     * @return the count
     */
    public int retries() {
      return retries;
    }

    /**
     * Waits out {@link #delayNanos()} on the calling thread, unless {@code halt} is counted down
     * first: a halt (close) or an interrupt ends the wait at once.
     *
     * @param halt counted down when the caller must stop
     * @return true when the delay passed (retry now); false when halted
     * @throws InterruptedException when the thread is interrupted (the interrupt is cleared, as
     *     by {@link CountDownLatch#await(long, TimeUnit)})
     */
    public boolean awaitDelay(CountDownLatch halt) throws InterruptedException {
      return !halt.await(delayNanos, TimeUnit.NANOSECONDS);
    }
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
