package dev.beacon.transport.http;

/**
 * A smooth request-rate cap that never blocks: {@link #reserve()} books the next free slot and
 * says how long to wait for it, and the transport schedules the request that much later instead
 * of sleeping on the engine's thread. No burst is stored, like Guava's {@code SmoothBursty} with
 * zero stored permits.
 */
final class RequestRateLimiter {
  private final long intervalNanos;
  private long nextFreeNanos;
  private boolean started;

  RequestRateLimiter(double permitsPerSecond) {
    this.intervalNanos = Math.max(1L, (long) (1_000_000_000d / permitsPerSecond));
  }

  /** Books one request; returns the nanoseconds to wait before sending it (0 = now). */
  synchronized long reserve() {
    long now = System.nanoTime();
    if (!started || now - nextFreeNanos > 0) {
      started = true;
      nextFreeNanos = now + intervalNanos;
      return 0;
    }
    long wait = nextFreeNanos - now;
    nextFreeNanos += intervalNanos;
    return wait;
  }

  long intervalNanos() {
    return intervalNanos;
  }
}
