package dev.beacon;

import dev.beacon.spi.SendResult;

/**
 * Told about every send attempt as it settles, for metrics: how long the request took, how big
 * the batch was, and what came back. Set with {@link Analytics.Builder#deliveryObserver}; the
 * {@code beacon-micrometer} module turns it into a timer and distribution summaries.
 *
 * <p>Called on a Beacon thread, once per attempt (a retry is a new attempt): keep it quick. An
 * exception it throws is caught and counted in {@link Stats#callbackErrors()}. Without an
 * observer the engine does no extra work.
 */
@FunctionalInterface
public interface DeliveryObserver {
  /**
   * One send attempt settled.
   *
   * @param messages messages in the batch sent
   * @param bodyBytes size of the request body before compression, in bytes
   * @param retryCount 0 for a first attempt, then 1, 2, ...
   * @param outcome what the transport answered; {@link SendResult.Outcome#RETRYABLE} also for a
   *     network error or an attempt that timed out
   * @param status the HTTP status, or 0 when there was none
   * @param durationNanos from the hand-over to the transport until its answer
   */
  void onAttempt(int messages, int bodyBytes, int retryCount, SendResult.Outcome outcome, int status,
      long durationNanos);
}
