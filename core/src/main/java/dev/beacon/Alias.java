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

  /**
   * Returns a builder holding every field of this message, to build a changed copy.
   *
   * @return a new builder
   */
  @Override
  public Builder toBuilder() {
    return new Builder(previousId).from(this);
  }

  @Override
  String describe() {
    return ", previousId=" + previousId;
  }

  /** Builder of {@link Alias}. */
  public static final class Builder extends Message.Builder<Alias, Builder> {
    private String previousId;

    private Builder(String previousId) {
      this.previousId = previousId;
    }

    /**
     * Sets the previous id (to change it in a copy made with {@link Alias#toBuilder()}).
     *
     * @param previousId the non-blank previous id
     * @return this builder
     */
    public Builder previousId(String previousId) {
      this.previousId = previousId;
      return this;
    }

    @Override
    public Alias build() {
      requireNonBlank(previousId, "previousId");
      validateIdentity(true);
      return new Alias(this);
    }
  }
}
