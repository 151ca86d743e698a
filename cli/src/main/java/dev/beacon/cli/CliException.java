package dev.beacon.cli;

/** An error the user can fix, printed as one line (the cause only with --verbose). */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  CliException(int exitCode, String message) {
    this(exitCode, message, null);
  }

  int exitCode() {
    return exitCode;
  }
}
