package dev.beacon.cli;

/** The exit codes of {@code beacon}, for scripts. */
public final class ExitCodes {
  /** Every valid message delivered (or validated with {@code --dry-run}). */
  public static final int OK = 0;
  /**
   * A fatal error: unreadable input file, spool directory in use or unusable, port already taken
   * ({@code beacon gateway} too: its journal cannot be opened or its address bound).
   */
  public static final int FATAL = 1;
  /** Usage error: unknown option, bad value, or no write key ({@code beacon gateway}: also an unusable keys file). */
  public static final int USAGE = 2;
  /** Some input lines were invalid and skipped; the valid ones were delivered. */
  public static final int INVALID_INPUT = 3;
  /**
   * Some messages were not delivered: refused by the API, retries exhausted (an unreachable
   * endpoint), still pending when the timeout passed, or left in the spool for the next run.
   * {@code beacon gateway}: stopped with requests unanswered or events not yet forwarded within
   * {@code --drain-timeout} (those stay in its journal and are forwarded when it starts again).
   * A gateway stopped by SIGTERM with everything settled exits with {@link #OK}.
   */
  public static final int NOT_DELIVERED = 4;
  /**
   * {@code beacon relay} stopped on a fatal error: its dead-letter topic is missing, unauthorized
   * or invalid, Kafka refused the consumer for good (authorization...), or one of its threads
   * died. Nothing past the records not settled was committed; fix the cause and start it again.
   */
  public static final int RELAY_FAILED = 5;

  private ExitCodes() {}
}
