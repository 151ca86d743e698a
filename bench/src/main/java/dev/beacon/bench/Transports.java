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
   * A transport that delivers every batch at once, without touching the bytes.
   *
   * @return a new transport
   */
  public static Transport instant() {
    return batch -> CompletableFuture.completedFuture(SendResult.delivered(200));
  }
}
