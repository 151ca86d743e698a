package dev.beacon.testkit;

import dev.beacon.spi.SendResult;
import java.time.Duration;
import java.util.Objects;

/**
 * A scripted failure for {@link CapturingTransport#failNext(int, Fault)}: what the next sends
 * answer instead of delivering.
 */
public final class Fault {
  private final SendResult result;
  private final Duration latency;

  private Fault(SendResult result, Duration latency) {
    this.result = result;
    this.latency = latency;
  }

  /**
   * A transient failure the engine retries, e.g. 503.
   *
   * @param status the HTTP status to report (0 for a network error)
   * @return the fault
   */
  public static Fault retryable(int status) {
    return new Fault(SendResult.retryable(status, null, "scripted fault", null), Duration.ZERO);
  }

  /**
   * A transient failure with a server-requested wait, e.g. 429 with {@code Retry-After}.
   *
   * @param status the HTTP status
   * @param retryAfter the wait the server asks for
   * @return the fault
   */
  public static Fault retryAfter(int status, Duration retryAfter) {
    return new Fault(SendResult.retryable(status, Objects.requireNonNull(retryAfter), "scripted fault", null),
        Duration.ZERO);
  }

  /**
   * A permanent failure the engine reports without retrying, e.g. 400 or 401.
   *
   * @param status the HTTP status
   * @return the fault
   */
  public static Fault permanent(int status) {
    return new Fault(SendResult.permanent(status, "scripted fault", null), Duration.ZERO);
  }

  /**
   * A 413 answer: the engine splits the batch.
   *
   * @return the fault
   */
  public static Fault tooLarge() {
    return new Fault(SendResult.tooLarge(413, "scripted fault"), Duration.ZERO);
  }

  /**
   * A successful answer that takes this long.
   *
   * @param latency the delay before the answer
   * @return the fault
   */
  public static Fault latency(Duration latency) {
    return new Fault(null, Objects.requireNonNull(latency));
  }

  /**
   * Returns a copy of this fault that answers only after a delay.
   *
   * @param latency the delay before the answer
   * @return the delayed fault
   */
  public Fault after(Duration latency) {
    return new Fault(result, Objects.requireNonNull(latency));
  }

  SendResult result() {
    return result;
  }

  Duration latency() {
    return latency;
  }

  @Override
  public String toString() {
    return "Fault{" + (result == null ? "delivered" : result) + ", latency=" + latency + "}";
  }
}
