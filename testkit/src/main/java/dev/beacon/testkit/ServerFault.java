package dev.beacon.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * A scripted misbehaviour of {@link CollectorServer}: an HTTP status (with or without
 * {@code Retry-After}), a dropped connection, or a delay, for the next requests
 * ({@link CollectorServer#failNext}) or a random fraction of them ({@link CollectorServer#failRandomly}).
 * Immutable; the {@code with...} methods return copies.
 *
 * <pre>{@code
 * server.failNext(2, ServerFault.status(503));
 * server.failNext(1, ServerFault.status(429).withRetryAfterSeconds(2));
 * server.failNext(1, ServerFault.dropConnection());
 * server.failRandomly(0.1, ServerFault.status(503));
 * }</pre>
 */
public final class ServerFault {
  private final int status;
  private final boolean drop;
  private final Duration delay;
  private final String retryAfter;
  private final String body;

  private ServerFault(int status, boolean drop, Duration delay, String retryAfter, String body) {
    this.status = status;
    this.drop = drop;
    this.delay = delay;
    this.retryAfter = retryAfter;
    this.body = body;
  }

  /**
   * Answers with this status instead of processing the request.
   *
   * @param status an HTTP status from 100 to 599, e.g. 503, 429 or 400
   * @return the fault
   */
  public static ServerFault status(int status) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be between 100 and 599 but was " + status);
    }
    return new ServerFault(status, false, Duration.ZERO, null,
        "{\"success\":false,\"message\":\"scripted fault: HTTP " + status + "\"}");
  }

  /**
   * Reads the request, then closes the connection without answering: the client sees the
   * connection closed or reset.
   *
   * @return the fault
   */
  public static ServerFault dropConnection() {
    return new ServerFault(0, true, Duration.ZERO, null, null);
  }

  /**
   * Processes the request normally, but only after a delay: a slow server, or (with a delay
   * longer than the client's response timeout) a read timeout. The request is still recorded
   * when it completes, as a real server would.
   *
   * @param delay how long to wait before answering
   * @return the fault
   */
  public static ServerFault delay(Duration delay) {
    return new ServerFault(0, false, nonNegative(delay), null, null);
  }

  /**
   * Returns a copy that waits before misbehaving.
   *
   * @param delay how long to wait first
   * @return the delayed fault
   */
  public ServerFault after(Duration delay) {
    return new ServerFault(status, drop, nonNegative(delay), retryAfter, body);
  }

  /**
   * Returns a copy that sends this raw {@code Retry-After} value, well-formed or not.
   *
   * @param value e.g. {@code "2"}, an HTTP-date, or {@code "soon"} to test malformed values
   * @return the fault
   */
  public ServerFault withRetryAfter(String value) {
    requireStatus();
    return new ServerFault(status, drop, delay, Objects.requireNonNull(value, "value"), body);
  }

  /**
   * Returns a copy that sends {@code Retry-After} in delta-seconds.
   *
   * @param seconds zero or more
   * @return the fault
   */
  public ServerFault withRetryAfterSeconds(long seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("seconds must be >= 0 but was " + seconds);
    }
    return withRetryAfter(Long.toString(seconds));
  }

  /**
   * Returns a copy that sends {@code Retry-After} as an HTTP-date (RFC 1123, whole seconds).
   *
   * @param at when the client may retry
   * @return the fault
   */
  public ServerFault withRetryAfterDate(Instant at) {
    return withRetryAfter(DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atOffset(ZoneOffset.UTC)));
  }

  /**
   * Returns a copy that answers with this body (JSON or text).
   *
   * @param body the response body
   * @return the fault
   */
  public ServerFault withBody(String body) {
    requireStatus();
    return new ServerFault(status, drop, delay, retryAfter, Objects.requireNonNull(body, "body"));
  }

  private void requireStatus() {
    if (status == 0) {
      throw new IllegalStateException("only a status fault has a Retry-After or a body");
    }
  }

  private static Duration nonNegative(Duration d) {
    Objects.requireNonNull(d, "delay");
    if (d.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative but was " + d);
    }
    return d;
  }

  /**
   * Returns the status answered.
   *
   * @return the status, or 0 for a drop or a delay-only fault
   */
  public int status() {
    return status;
  }

  /**
   * Returns whether the connection is dropped without an answer.
   *
   * @return true for {@link #dropConnection()}
   */
  public boolean dropsConnection() {
    return drop;
  }

  /**
   * Returns the wait before the fault (or before normal processing, for {@link #delay}).
   *
   * @return the delay, zero for none
   */
  public Duration delay() {
    return delay;
  }

  /**
   * Returns the raw {@code Retry-After} value sent.
   *
   * @return the value, or null
   */
  public String retryAfter() {
    return retryAfter;
  }

  String body() {
    return body;
  }

  @Override
  public String toString() {
    String what = drop ? "drop connection" : status == 0 ? "answer normally" : "HTTP " + status
        + (retryAfter == null ? "" : " Retry-After: " + retryAfter);
    return "ServerFault{" + what + (delay.isZero() ? "" : " after " + delay) + "}";
  }
}
