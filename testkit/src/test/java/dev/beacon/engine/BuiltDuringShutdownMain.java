package dev.beacon.engine;

import dev.beacon.Analytics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child JVM for {@link ThreadFactoryAndHookFailureTest}: builds a client (with its shutdown hook)
 * from inside a shutdown hook, when the JVM refuses new hooks, and writes what happened.
 */
public final class BuiltDuringShutdownMain {
  private BuiltDuringShutdownMain() {}

  public static void main(String[] args) {
    Path out = Path.of(args[0]);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // A transport made by the build (as a provider makes one): none must be made.
        Analytics.builder("k").transportName("alpha").build();
        write(out, "built");
      } catch (IllegalStateException e) {
        write(out, "refused: " + e.getMessage());
      }
      if (TestProviders.CREATED.containsKey("alpha")) {
        write(out, "a transport was made");
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
