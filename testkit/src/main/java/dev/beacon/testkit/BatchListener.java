package dev.beacon.testkit;

import java.util.List;

/**
 * Told about every request a {@link CollectorServer} accepted, e.g. to print events in a local
 * dev server. Called on a server thread after the messages were recorded; keep it quick. An
 * exception it throws is ignored.
 */
@FunctionalInterface
public interface BatchListener {
  /**
   * Handles an accepted request.
   *
   * @param path the endpoint, e.g. {@code /v1/batch} or {@code /v1/track}
   * @param messages the accepted messages, in order (unmodifiable)
   */
  void onBatch(String path, List<CapturedMessage> messages);
}
