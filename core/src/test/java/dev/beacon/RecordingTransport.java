package dev.beacon;

import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A transport that keeps every message it is given and acknowledges it. */
public final class RecordingTransport implements Transport {
  private final List<Message> messages = new CopyOnWriteArrayList<>();

  @Override
  public CompletableFuture<SendResult> send(Batch batch) {
    messages.addAll(batch.messages());
    return CompletableFuture.completedFuture(SendResult.delivered(200));
  }

  /**
   * Returns what was sent so far.
   *
   * @return the messages, in order
   */
  public List<Message> messages() {
    return List.copyOf(messages);
  }
}
