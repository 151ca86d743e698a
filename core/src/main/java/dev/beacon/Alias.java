package dev.beacon;

import dev.beacon.internal.MessageSizes;

/**
 * An {@code alias} message: {@code previousId} (an anonymous id or an old user id) is the same
 * person as {@code userId}. Both are required.
 */
public final class Alias extends Message {
  private final String previousId;

  private Alias(Builder b) {
    super(b, MessageSizes.stringBound(b.previousId));
    this.previousId = b.previousId;
    checkSize();
  }

  /**
   * Starts an alias message; set the new {@code userId} on the builder.
   *
   * @param previousId the id the user had before
   * @return a builder
   */
  public static Builder builder(String previousId) {
    return new Builder(previousId);
  }

  @Override
  public MessageType type() {
    return MessageType.ALIAS;
  }

  /**
   * Returns the previous id.
   *
   * @return the non-blank previous id
   */
  public String previousId() {
    return previousId;
  }

  @Override
  String describe() {
    return ", previousId=" + previousId;
  }

  /** Builder of {@link Alias}. */
  public static final class Builder extends Message.Builder<Alias, Builder> {
    private final String previousId;

    private Builder(String previousId) {
      this.previousId = previousId;
    }

    @Override
    public Alias build() {
      requireNonBlank(previousId, "previousId");
      validateIdentity(true);
      return new Alias(this);
    }
  }
}
