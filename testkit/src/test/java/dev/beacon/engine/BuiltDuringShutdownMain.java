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
import java.util.concurrent.CompletableFuture;

/**
 * Child JVM for {@link ThreadFactoryAndHookFailureTest}: builds a client (with its shutdown hook)
 * from inside a shutdown hook, when the JVM refuses new hooks, and writes what happened.
 */
public final class BuiltDuringShutdownMain {
  private BuiltDuringShutdownMain() {}

  public static void main(String[] args) {
    Path out = Path.of(args[0]);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Transport transport = new Transport() {
        @Override
        public CompletableFuture<SendResult> send(Batch batch) {
          return CompletableFuture.completedFuture(SendResult.delivered(200));
        }

        @Override
        public void close() {
          write(out, "transport closed");
        }
      };
      try {
        Analytics.builder("k").transport(transport).build();
        write(out, "built");
      } catch (IllegalStateException e) {
        write(out, "refused: " + e.getMessage());
      }
    }));
  }

  private static void write(Path out, String line) {
    try {
      Files.write(out, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
