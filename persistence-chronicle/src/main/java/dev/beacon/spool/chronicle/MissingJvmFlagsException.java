package dev.beacon.spool.chronicle;

import java.io.IOException;
import java.util.List;

/**
 * Thrown when the spool is opened in a JVM started without the {@code --add-opens} /
 * {@code --add-exports} flags Chronicle Queue needs on Java 17+. The message names the missing flags
 * and the full line to add; {@code Analytics.Builder.build()} reports it (and, with {@code
 * spoolRequired(true)}, refuses to start).
 */
public final class MissingJvmFlagsException extends IOException {
  private static final long serialVersionUID = 1L;

  private final List<String> missingFlags;

  MissingJvmFlagsException(List<String> missingFlags, String message) {
    super(message);
    this.missingFlags = List.copyOf(missingFlags);
  }

  /**
   * Returns the flags without which Chronicle cannot run here, e.g.
   * {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED}.
   *
   * @return the missing flags, unmodifiable
   */
  public List<String> missingFlags() {
    return missingFlags;
  }
}
