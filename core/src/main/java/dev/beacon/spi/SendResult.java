package dev.beacon.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Transport} learned from one attempt to send a {@link Batch}. The engine owns the
 * retry policy, so a transport only classifies the answer.
 */
public final class SendResult {
  /** The four ways an attempt can end. */
  public enum Outcome {
    /** The receiver accepted the batch (2xx). */
    DELIVERED,
    /** A transient failure: network error, timeout, 408, 410, 429, 460, most 5xx. */
    RETRYABLE,
    /** The receiver refused the batch and will refuse it again: 400, 401, 403, 501... */
    PERMANENT,
    /** The batch is too large (413, or a 400 saying so): split it and send the halves. */
    TOO_LARGE
  }

  private static final SendResult DELIVERED_200 = new SendResult(Outcome.DELIVERED, 200, null, null, null);

  private final Outcome outcome;
  private final int status;
  private final Duration retryAfter;
  private final String detail;
  private final Throwable cause;

  private SendResult(Outcome outcome, int status, Duration retryAfter, String detail, Throwable cause) {
    this.outcome = outcome;
    this.status = status;
    this.retryAfter = retryAfter;
    this.detail = detail;
    this.cause = cause;
  }

  /**
   * The batch was accepted.
   *
   * @param status the 2xx status, or 0 for a transport without statuses
   * @return the result
   */
  public static SendResult delivered(int status) {
    return status == 200 ? DELIVERED_200 : new SendResult(Outcome.DELIVERED, status, null, null, null);
  }

  /**
   * A transient failure; the engine retries with backoff, or after {@code retryAfter} when given.
   *
   * @param status the HTTP status, or 0 for a network error or timeout
   * @param retryAfter the server's {@code Retry-After}, or null
   * @param detail a short description for logs and the error callback (never the write key)
   * @param cause the exception, or null
   * @return the result
   */
  public static SendResult retryable(int status, Duration retryAfter, String detail, Throwable cause) {
    return new SendResult(Outcome.RETRYABLE, status, retryAfter, detail, cause);
  }

  /**
   * A failure that will not go away by retrying.
   *
   * @param status the HTTP status, or 0
   * @param detail a short description (never the write key)
   * @param cause the exception, or null
   * @return the result
   */
  public static SendResult permanent(int status, String detail, Throwable cause) {
    return new SendResult(Outcome.PERMANENT, status, null, detail, cause);
  }

  /**
   * The batch is too large for the receiver.
   *
   * @param status normally 413
   * @param detail a short description
   * @return the result
   */
  public static SendResult tooLarge(int status, String detail) {
    return new SendResult(Outcome.TOO_LARGE, status, null, detail, null);
  }

  /**
   * Returns the outcome.
   *
   * @return the outcome
   */
  public Outcome outcome() {
    return outcome;
  }

  /**
   * Returns the HTTP status.
   *
   * @return the status, or 0 when there was none
   */
  public int status() {
    return status;
  }

  /**
   * Returns the server's requested wait before the next attempt.
   *
   * @return the wait, if the server gave one
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * Returns a short description.
   *
   * @return the detail, or an empty string
   */
  public String detail() {
    return detail == null ? "" : detail;
  }

  /**
   * Returns the exception behind a failure.
   *
   * @return the cause, if any
   */
  public Optional<Throwable> cause() {
    return Optional.ofNullable(cause);
  }

  @Override
  public String toString() {
    return "SendResult{" + outcome + (status != 0 ? ", status=" + status : "")
        + (retryAfter != null ? ", retryAfter=" + retryAfter : "")
        + (detail != null ? ", detail=" + detail : "") + "}";
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SendResult)) {
      return false;
    }
    SendResult r = (SendResult) o;
    return outcome == r.outcome && status == r.status && Objects.equals(retryAfter, r.retryAfter)
        && Objects.equals(detail, r.detail);
  }

  @Override
  public int hashCode() {
    return Objects.hash(outcome, status, retryAfter, detail);
  }
}
