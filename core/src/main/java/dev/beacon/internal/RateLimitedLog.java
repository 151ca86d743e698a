package dev.beacon.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval, saying how many were suppressed. Callers on hot paths
 * ask {@link #due()} first, so a suppressed warning costs no argument array and no shared write
 * but a striped increment. Not API.
 */
final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
  private final LongAdder suppressed = new LongAdder();

  RateLimitedLog(Logger log, long intervalNanos) {
    this.log = log;
    this.intervalNanos = intervalNanos;
  }

  /** True when a warning may be logged now (the caller then calls {@link #warn}); else counts it. */
  boolean due() {
    long now = System.nanoTime();
    long n = next.get();
    if ((n == Long.MIN_VALUE || now - n >= 0) && next.compareAndSet(n, now + intervalNanos)) {
      return true;
    }
    suppressed.increment();
    return false;
  }

  /** Logs now if due. */
  void warn(String format, Object... args) {
    if (due()) {
      log(format, args);
    }
  }

  /** Logs unconditionally (after {@link #due()} said yes), with the suppressed count. */
  void log(String format, Object... args) {
    long s = suppressed.sumThenReset();
    if (log.isWarnEnabled()) {
      log.warn(s == 0 ? format : format + " (" + s + " similar warnings suppressed)", args);
    }
  }
}
