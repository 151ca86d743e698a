package dev.beacon.spool.chronicle;

import dev.beacon.Analytics;
import java.nio.file.Path;

/**
 * A child JVM started with some of Chronicle's flags left out. {@code degrade DIR}: builds a client
 * with the default {@code spoolRequired(false)} and prints {@code DEGRADED true|false}. {@code
 * required DIR}: builds with {@code spoolRequired(true)} and prints {@code STARTED}, or {@code
 * REFUSED}, the missing flags one per line as {@code MISSING flag}, and {@code MESSAGE text}.
 */
public final class FlagsClient {
  private FlagsClient() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[1]);
    Analytics.Builder b = Analytics.builder("flags-test-key").send(false).shutdownHook(false).spoolDirectory(dir);
    if (args[0].equals("degrade")) {
      try (Analytics a = b.build()) {
        System.out.println("DEGRADED " + a.stats().spoolDegraded());
      }
      return;
    }
    try (Analytics a = b.spoolRequired(true).build()) {
      System.out.println("STARTED " + a.stats().spoolDegraded());
    } catch (IllegalStateException e) {
      System.out.println("REFUSED");
      if (e.getCause() instanceof MissingJvmFlagsException m) {
        m.missingFlags().forEach(f -> System.out.println("MISSING " + f));
      }
      System.out.println("MESSAGE " + e.getMessage());
    }
  }
}
