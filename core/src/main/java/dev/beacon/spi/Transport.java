package dev.beacon.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends batches somewhere: the HTTP API, a test capture, a file. Implementations are usually
 * created by a {@link TransportProvider} found with {@link java.util.ServiceLoader}, or set
 * explicitly with {@code Analytics.builder(key).transport(...)}.
 *
 * <p>Contract: {@link #send} must not block for long and must not throw; it reports every outcome
 * through the returned future (a future completed exceptionally counts as a retryable network
 * failure). The engine retries, splits and reports, so a transport makes exactly one attempt per
 * call. {@link #send} may be called again before an earlier future completed, up to
 * {@link #maxConcurrentRequests()} at a time.
 */
public interface Transport extends AutoCloseable {
  /**
   * Makes one attempt to send a batch.
   *
   * @param batch the batch; {@link Batch#retryCount()} says how many attempts came before
   * @return a future completed with the result of the attempt
   */
  CompletableFuture<SendResult> send(Batch batch);

  /**
   * How many batches the engine may have in flight at once. The default, 1, keeps every user's
   * events in order.
   *
   * @return at least 1
   */
  default int maxConcurrentRequests() {
    return 1;
  }

  /**
   * How long the engine waits for one attempt's future before it counts the attempt as timed out
   * (a guard against a transport that never answers).
   *
   * @return the longest wait for one attempt; default 2 minutes
   */
  default Duration attemptTimeout() {
    return Duration.ofMinutes(2);
  }

  /** Releases connections and threads. Called once by the engine when the client closes. */
  @Override
  default void close() {}
}
