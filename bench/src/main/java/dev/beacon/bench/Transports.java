package dev.beacon.bench;

import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Transports that isolate the producer side from the network. */
public final class Transports {
  private Transports() {}

  /**
   * A transport whose attempts never finish: after the first batch the consumer waits for a
   * request slot, the ring fills, and every further call takes the queue-full path. Closing the
   * client (with a zero timeout) cancels the attempt and reports the rest as SHUTDOWN.
   *
   * @return a new transport
   */
  public static Transport neverCompletes() {
    return new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        return new CompletableFuture<>();
      }

      @Override
      public Duration attemptTimeout() {
        return Duration.ofHours(1);
      }
    };
  }

  /**
   * A slow API with a fixed capacity: at most {@code concurrency} batches in flight, each answered
   * {@code latency} after it was sent (on a timer thread, so no thread sleeps). With batches of
   * {@code n} messages it delivers at most {@code concurrency * n / latency} messages a second.
   *
   * @param concurrency batches in flight
   * @param latency time to answer each batch
   * @return a new transport; {@code close()} stops its timer
   */
  public static Transport slow(int concurrency, Duration latency) {
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "slow-api");
      t.setDaemon(true);
      return t;
    });
    long nanos = latency.toNanos();
    return new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        CompletableFuture<SendResult> f = new CompletableFuture<>();
        timer.schedule(() -> f.complete(SendResult.delivered(200)), nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        return f;
      }

      @Override
      public int maxConcurrentRequests() {
        return concurrency;
      }

      @Override
      public void close() {
        timer.shutdownNow();
      }
    };
  }

  /**
   * A transport that delivers every batch at once, without touching the bytes.
   *
   * @return a new transport
   */
  public static Transport instant() {
    return batch -> CompletableFuture.completedFuture(SendResult.delivered(200));
  }
}
