package dev.beacon.spi;

/**
 * Thrown by a {@link Plugin} that refuses a call on purpose and wants the caller to see why (a
 * strict tracking-plan check, in tests and development). Unlike any other exception a plugin
 * throws, it is not caught: it reaches the caller of {@code track()} and the other calls, like the
 * {@link IllegalArgumentException} an invalid message gets. The message was not queued.
 */
public final class MessageRejectedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why the message was refused (name the event, the field and the rule)
   */
  public MessageRejectedException(String message) {
    super(message);
  }
}
