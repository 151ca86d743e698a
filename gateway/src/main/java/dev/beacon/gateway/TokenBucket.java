package dev.beacon.gateway;

/**
 * A token bucket of one source: {@code rate} events a second, up to one second's worth in a burst.
 * Hand-written rather than Guava's {@code RateLimiter}, which cannot say when the next permit
 * is free, and {@code Retry-After} needs exactly that. Thread-safe.
 */
final class TokenBucket {
  private final double rate;
  private final double capacity;
  private double tokens;
  private long lastNanos;

  TokenBucket(double ratePerSecond, long nowNanos) {
    this.rate = ratePerSecond;
    this.capacity = Math.max(1, ratePerSecond);
    this.tokens = capacity;
    this.lastNanos = nowNanos;
  }

  double rate() {
    return rate;
  }

  /**
   * Takes {@code n} tokens when there are enough.
   *
   * @return 0 when taken, else the nanoseconds until {@code n} tokens (at most the capacity) will be there
   */
  synchronized long tryTake(int n, long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - lastNanos) * rate / 1e9);
    lastNanos = nowNanos;
    double need = Math.min(n, capacity);
    if (tokens >= need) {
      // A request larger than a burst passes when the bucket is full, leaving a debt paid back in time.
      tokens -= n;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((need - tokens) / rate * 1e9));
  }
}
