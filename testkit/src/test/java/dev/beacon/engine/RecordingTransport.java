package dev.beacon.engine;

import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records each batch's size and body as the engine hands it over. */
final class RecordingTransport implements Transport {
  record Sent(int messages, int declaredBytes, byte[] body) {}

  final List<Sent> sent = new CopyOnWriteArrayList<>();

  @Override
  public CompletableFuture<SendResult> send(Batch batch) {
    sent.add(new Sent(batch.size(), batch.sizeInBytes(), batch.toJson(Instant.now())));
    return CompletableFuture.completedFuture(SendResult.delivered(200));
  }

  int messageCount() {
    return sent.stream().mapToInt(Sent::messages).sum();
  }
}
