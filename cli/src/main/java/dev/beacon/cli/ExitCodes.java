package dev.beacon.cli;

/** The exit codes of {@code beacon}, for scripts. */
public final class ExitCodes {
  /** Every valid message delivered (or validated with {@code --dry-run}). */
  public static final int OK = 0;
  /** A fatal error: unreadable file, unreachable endpoint, bad setting. */
  public static final int FATAL = 1;
  /** Usage error, or no write key. */
  public static final int USAGE = 2;
  /** Some input lines were invalid and skipped; the valid ones were delivered. */
  public static final int INVALID_INPUT = 3;
  /** Some messages were not delivered: reported failures, or still pending when the timeout passed. */
  public static final int NOT_DELIVERED = 4;

  private ExitCodes() {}
}
