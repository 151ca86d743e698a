package dev.beacon;

import dev.beacon.internal.MessageSizes;
import dev.beacon.internal.Values;
import java.util.Map;

/** A {@code screen} message: a mobile app screen view. Build with {@link #builder()}. */
public final class Screen extends Message {
  private final String name;
  private final String category;
  private final Map<String, Object> properties;
  private final int propertiesBound;

  private Screen(Builder b) {
    this(b, b.copyOf == null ? Values.snapshotObject(b.properties, "properties")
        : snapshot(b.properties, b.copyOf.properties, b.copyOf.propertiesBound, "properties"));
  }

  private Screen(Builder b, Values.Snapshot props) {
    super(b, MessageSizes.stringBound(b.name) + MessageSizes.stringBound(b.category) + props.sizeBound());
    this.name = b.name;
    this.category = b.category;
    this.properties = props.map();
    this.propertiesBound = props.sizeBound();
    checkSize();
  }

  /**
   * Starts a screen message; set {@code userId} or {@code anonymousId} on the builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public MessageType type() {
    return MessageType.SCREEN;
  }

  /**
   * Returns the screen's name.
   *
   * @return the name, or {@code null} when none was given
   */
  public String name() {
    return name;
  }

  /**
   * Returns the screen's category.
   *
   * @return the category, or {@code null} when none was given
   */
  public String category() {
    return category;
  }

  /**
   * Returns the screen's properties (url, title, referrer...).
   *
   * @return an unmodifiable snapshot, empty when none was given
   */
  public Map<String, Object> properties() {
    return properties;
  }

  /**
   * Returns a builder holding every field of this message, to build a changed copy.
   *
   * @return a new builder
   */
  @Override
  public Builder toBuilder() {
    Builder b = new Builder().from(this).name(name).category(category).properties(properties);
    b.copyOf = this;
    return b;
  }

  @Override
  String describe() {
    return ", name=" + name + ", category=" + category + ", properties=" + properties;
  }

  /** Builder of {@link Screen}. */
  public static final class Builder extends Message.Builder<Screen, Builder> {
    private String name;
    private String category;
    private Map<?, ?> properties;
    private Screen copyOf;

    private Builder() {}

    /**
     * Sets the name.
     *
     * @param name the screen name, e.g. {@code "Pricing"}; {@code null} for none
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the category.
     *
     * @param category the screen category, e.g. {@code "Docs"}; {@code null} for none
     * @return this builder
     */
    public Builder category(String category) {
      this.category = category;
      return this;
    }

    /**
     * Sets the properties. Copied deeply at {@link #build()}.
     *
     * @param properties a map with string keys; {@code null} for none
     * @return this builder
     */
    public Builder properties(Map<String, ?> properties) {
      this.properties = properties;
      return this;
    }

    @Override
    public Screen build() {
      validateIdentity(false);
      return new Screen(this);
    }
  }
}
