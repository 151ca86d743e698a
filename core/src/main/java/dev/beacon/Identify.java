package dev.beacon;

import dev.beacon.internal.Values;
import java.util.Map;

/** An {@code identify} message: who a user is. Build with {@link #builder()}. */
public final class Identify extends Message {
  private final Map<String, Object> traits;
  private final int traitsBound;

  private Identify(Builder b) {
    this(b, b.copyOf == null ? Values.snapshotObject(b.traits, "traits")
        : snapshot(b.traits, b.copyOf.traits, b.copyOf.traitsBound, "traits"));
  }

  private Identify(Builder b, Values.Snapshot t) {
    super(b, t.sizeBound());
    this.traits = t.map();
    this.traitsBound = t.sizeBound();
    checkSize();
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
    Builder b = new Builder().from(this).traits(traits);
    b.copyOf = this;
    return b;
  }

  @Override
  String describe() {
    return ", traits=" + traits;
  }

  /** Builder of {@link Identify}. */
  public static final class Builder extends Message.Builder<Identify, Builder> {
    private Map<?, ?> traits;
    private Identify copyOf;

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
