package dev.beacon;

import java.util.List;

/**
 * Receives messages that were accepted but finally not delivered (analytics-python's
 * {@code on_error}). Called on a Beacon thread: keep it quick, do not block. An exception it
 * throws is logged and counted, never propagated. It may call {@link Analytics} methods.
 */
@FunctionalInterface
public interface ErrorHandler {
  /**
   * Handles a final failure.
   *
   * @param error the reason, HTTP status and cause
   * @param messages the messages not delivered (unmodifiable), e.g. to store for a later retry
   */
  void onError(DeliveryException error, List<Message> messages);
}
