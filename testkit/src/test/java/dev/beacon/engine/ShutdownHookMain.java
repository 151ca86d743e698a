package dev.beacon.engine;

import dev.beacon.Analytics;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Child JVM for {@link ShutdownHookTest}: tracks and returns from main without closing. */
public final class ShutdownHookMain {
  private ShutdownHookMain() {}

  public static void main(String[] args) {
    Path out = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    Transport toFile = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        try {
          Files.write(out, (String.join("\n", batch.messageIds()) + "\n").getBytes(StandardCharsets.UTF_8),
              StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return CompletableFuture.completedFuture(SendResult.delivered(200));
      }
    };
    Analytics analytics = Analytics.builder("k").transport(toFile)
        .flushAt(2500).flushInterval(Duration.ofHours(1))
        .shutdownTimeout(Duration.ofMinutes(2)) // the hook's bound is not under test: a busy machine
        .build();
    for (int i = 0; i < n; i++) {
      analytics.track("u", "Before Exit");
    }
    // no flush, no close: the shutdown hook must deliver
  }
}
