package dev.beacon.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** Logs a warning at most once per interval, saying how many were suppressed. Not API. */
final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log, long intervalNanos) {
    this.log = log;
    this.intervalNanos = intervalNanos;
  }

  void warn(String format, Object... args) {
    long now = System.nanoTime();
    long n = next.get();
    if ((n == Long.MIN_VALUE || now - n >= 0) && next.compareAndSet(n, now + intervalNanos)) {
      long s = suppressed.getAndSet(0);
      if (log.isWarnEnabled()) {
        log.warn(s == 0 ? format : format + " (" + s + " similar warnings suppressed)", args);
      }
    } else {
      suppressed.incrementAndGet();
    }
  }
}
