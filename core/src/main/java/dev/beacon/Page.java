package dev.beacon;

import dev.beacon.internal.MessageSizes;
import dev.beacon.internal.Values;
import java.util.Map;

/** A {@code page} message: a web page view. Build with {@link #builder()}. */
public final class Page extends Message {
  private final String name;
  private final String category;
  private final Map<String, Object> properties;
  private final int propertiesBound;

  private Page(Builder b) {
    this(b, b.copyOf == null ? Values.snapshotObject(b.properties, "properties")
        : snapshot(b.properties, b.copyOf.properties, b.copyOf.propertiesBound, "properties"));
  }

  private Page(Builder b, Values.Snapshot props) {
    super(b, MessageSizes.stringBound(b.name) + MessageSizes.stringBound(b.category) + props.sizeBound());
    this.name = b.name;
    this.category = b.category;
    this.properties = props.map();
    this.propertiesBound = props.sizeBound();
    checkSize();
  }

  /**
   * Starts a page message; set {@code userId} or {@code anonymousId} on the builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public MessageType type() {
    return MessageType.PAGE;
  }

  /**
   * Returns the page's name.
   *
   * @return the name, or {@code null} when none was given
   */
  public String name() {
    return name;
  }

  /**
   * Returns the page's category.
   *
   * @return the category, or {@code null} when none was given
   */
  public String category() {
    return category;
  }

  /**
   * Returns the page's properties (url, title, referrer...).
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

  /** Builder of {@link Page}. */
  public static final class Builder extends Message.Builder<Page, Builder> {
    private String name;
    private String category;
    private Map<?, ?> properties;
    private Page copyOf;

    private Builder() {}

    /**
     * Sets the name.
     *
     * @param name the page name, e.g. {@code "Pricing"}; {@code null} for none
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the category.
     *
     * @param category the page category, e.g. {@code "Docs"}; {@code null} for none
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
    public Page build() {
      validateIdentity(false);
      return new Page(this);
    }
  }
}
