package dev.beacon;

/**
 * Messages could not be delivered. Passed to the {@link ErrorHandler}, and thrown by calls in
 * {@code syncMode(true)} (the equivalent of analytics-python's {@code APIError}).
 */
public final class DeliveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final FailureReason reason;
  private final int status;
  private final int messageCount;

  /**
   * Creates the exception.
   *
   * @param reason why delivery failed
   * @param status the last HTTP status, or 0 when there was none
   * @param messageCount how many messages failed
   * @param detail a description (never contains the write key)
   * @param cause the underlying exception, or null
   */
  public DeliveryException(FailureReason reason, int status, int messageCount, String detail,
      Throwable cause) {
    super(reason + (status != 0 ? " (HTTP " + status + ")" : "") + ": " + messageCount
        + " message(s) not delivered" + (detail == null || detail.isEmpty() ? "" : ": " + detail), cause);
    this.reason = reason;
    this.status = status;
    this.messageCount = messageCount;
  }

  /**
   * Returns why delivery failed.
   *
   * @return the reason
   */
  public FailureReason reason() {
    return reason;
  }

  /**
   * Returns the last HTTP status seen.
   *
   * @return the status, or 0 when there was none (network error, shutdown)
   */
  public int status() {
    return status;
  }

  /**
   * Returns how many messages failed.
   *
   * @return the count
   */
  public int messageCount() {
    return messageCount;
  }
}
