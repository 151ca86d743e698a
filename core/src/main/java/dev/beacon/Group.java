package dev.beacon;

import dev.beacon.internal.MessageSizes;
import dev.beacon.internal.Values;
import java.util.Map;

/** A {@code group} message: the user belongs to an account or organisation. */
public final class Group extends Message {
  private final String groupId;
  private final Map<String, Object> traits;
  private final int traitsBound;

  private Group(Builder b) {
    this(b, b.copyOf == null ? Values.snapshotObject(b.traits, "traits")
        : snapshot(b.traits, b.copyOf.traits, b.copyOf.traitsBound, "traits"));
  }

  private Group(Builder b, Values.Snapshot t) {
    super(b, MessageSizes.stringBound(b.groupId) + t.sizeBound());
    this.groupId = b.groupId;
    this.traits = t.map();
    this.traitsBound = t.sizeBound();
    checkSize();
  }

  /**
   * Starts a group message.
   *
   * @param groupId the id of the group, account or organisation
   * @return a builder
   */
  public static Builder builder(String groupId) {
    return new Builder(groupId);
  }

  @Override
  public MessageType type() {
    return MessageType.GROUP;
  }

  /**
   * Returns the group id.
   *
   * @return the non-blank group id
   */
  public String groupId() {
    return groupId;
  }

  /**
   * Returns the group's traits (name, industry, employees...).
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
    Builder b = new Builder(groupId).from(this).traits(traits);
    b.copyOf = this;
    return b;
  }

  @Override
  String describe() {
    return ", groupId=" + groupId + ", traits=" + traits;
  }

  /** Builder of {@link Group}. */
  public static final class Builder extends Message.Builder<Group, Builder> {
    private String groupId;
    private Map<?, ?> traits;
    private Group copyOf;

    private Builder(String groupId) {
      this.groupId = groupId;
    }

    /**
     * Sets the group id (to change it in a copy made with {@link Group#toBuilder()}).
     *
     * @param groupId the non-blank group id
     * @return this builder
     */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /**
     * Sets the group's traits. Copied deeply at {@link #build()}.
     *
     * @param traits a map with string keys; {@code null} for none
     * @return this builder
     */
    public Builder traits(Map<String, ?> traits) {
      this.traits = traits;
      return this;
    }

    @Override
    public Group build() {
      requireNonBlank(groupId, "groupId");
      validateIdentity(false);
      return new Group(this);
    }
  }
}
