package dev.beacon;

import dev.beacon.internal.MessageSizes;
import dev.beacon.internal.Values;
import java.util.Map;

/** A {@code track} message: what a user did. Build with {@link #builder(String)}. */
public final class Track extends Message {
  private final String event;
  private final Map<String, Object> properties;
  private final int propertiesBound;

  private Track(Builder b) {
    this(b, b.copyOf == null ? Values.snapshotObject(b.properties, "properties")
        : snapshot(b.properties, b.copyOf.properties, b.copyOf.propertiesBound, "properties"));
  }

  private Track(Builder b, Values.Snapshot props) {
    super(b, MessageSizes.stringBound(b.event) + props.sizeBound());
    this.event = b.event;
    this.properties = props.map();
    this.propertiesBound = props.sizeBound();
    checkSize();
  }

  /**
   * Starts a track message.
   *
   * @param event the event name, in Title Case and past tense, e.g. {@code "Order Completed"}
   * @return a builder
   */
  public static Builder builder(String event) {
    return new Builder(event);
  }

  @Override
  public MessageType type() {
    return MessageType.TRACK;
  }

  /**
   * Returns the event name.
   *
   * @return the non-blank event name
   */
  public String event() {
    return event;
  }

  /**
   * Returns the event's properties.
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
    Builder b = new Builder(event).from(this).properties(properties);
    b.copyOf = this;
    return b;
  }

  @Override
  String describe() {
    return ", event=" + event + ", properties=" + properties;
  }

  /** Builder of {@link Track}. */
  public static final class Builder extends Message.Builder<Track, Builder> {
    private String event;
    private Map<?, ?> properties;
    private Track copyOf;

    private Builder(String event) {
      this.event = event;
    }

    /**
     * Sets the event name (to rename an event in a copy made with {@link Track#toBuilder()}).
     *
     * @param event the non-blank event name
     * @return this builder
     */
    public Builder event(String event) {
      this.event = event;
      return this;
    }

    /**
     * Sets the event's properties. Copied deeply at {@link #build()}.
     *
     * @param properties a map with string keys; {@code null} for none
     * @return this builder
     */
    public Builder properties(Map<String, ?> properties) {
      this.properties = properties;
      return this;
    }

    @Override
    public Track build() {
      requireNonBlank(event, "event");
      validateIdentity(false);
      return new Track(this);
    }
  }
}
