package dev.beacon.spi;

import java.io.IOException;

/**
 * Thrown by {@link SpoolProvider#open} when another process (or another client in this JVM)
 * already uses the spool directory. Unlike other open failures, which make the client run in
 * memory mode, this one fails {@code build()}: two writers on one journal is a configuration error.
 */
public final class SpoolLockedException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the directory
   */
  public SpoolLockedException(String message) {
    super(message);
  }
}
