package dev.beacon;

import dev.beacon.internal.Values;
import java.util.Map;

/** An {@code identify} message: who a user is. Build with {@link #builder()}. */
public final class Identify extends Message {
  private final Map<String, Object> traits;

  private Identify(Builder b) {
    super(b);
    Values.Snapshot t = Values.snapshotObject(b.traits, "traits");
    this.traits = t.map();
    sealSize(t.sizeBound());
  }

  /**
   * Starts an identify message; set {@code userId} or {@code anonymousId} on the builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public MessageType type() {
    return MessageType.IDENTIFY;
  }

  /**
   * Returns the user's traits (email, name, plan...).
   *
   * @return an unmodifiable snapshot, empty when none was given
   */
  public Map<String, Object> traits() {
    return traits;
  }

  /**
   * Returns a builder holding every field of this message, to build a changed copy.
   *
   * @return a new builder
   */
  @Override
  public Builder toBuilder() {
    return new Builder().from(this).traits(traits);
  }

  @Override
  String describe() {
    return ", traits=" + traits;
  }

  /** Builder of {@link Identify}. */
  public static final class Builder extends Message.Builder<Identify, Builder> {
    private Map<?, ?> traits;

    private Builder() {}

    /**
     * Sets the user's traits. Copied deeply at {@link #build()}.
     *
     * @param traits a map with string keys; {@code null} for none
     * @return this builder
     */
    public Builder traits(Map<String, ?> traits) {
      this.traits = traits;
      return this;
    }

    @Override
    public Identify build() {
      validateIdentity(false);
      return new Identify(this);
    }
  }
}
