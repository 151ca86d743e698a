package dev.beacon;

import java.util.List;

/**
 * Told about the messages of each batch the API accepted (analytics-java's
 * {@code Callback.success}), for an outbox to mark them sent, an audit log, or a test. Set with
 * {@link Analytics.Builder#onDelivered}; without one the engine does no extra work.
 *
 * <p>Called on a Beacon thread (at the end of {@code close()}, possibly the closing one), once per delivered batch (a batch split after an HTTP 413 is
 * reported part by part), in the order the batches were delivered, after the messages were counted
 * in {@link Stats#delivered()}: keep it quick, do not block. An exception it throws is caught,
 * logged (rate-limited) and counted in {@link Stats#callbackErrors()}, like {@link ErrorHandler}'s,
 * and never changes the outcome: the messages stay delivered. It may call {@link Analytics}
 * methods. With a spool, the messages of a batch read back from disk (after a restart, or while
 * the ring was full) are decoded from their stored JSON when the callback reads them.
 */
@FunctionalInterface
public interface DeliveryCallback {
  /**
   * A batch was delivered.
   *
   * @param messages the messages of the batch, in the order they were accepted (unmodifiable)
   */
  void onDelivered(List<Message> messages);
}
