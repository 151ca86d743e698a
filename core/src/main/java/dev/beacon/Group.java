package dev.beacon;

import dev.beacon.internal.MessageSizes;
import dev.beacon.internal.Values;
import java.util.Map;

/** A {@code group} message: the user belongs to an account or organisation. */
public final class Group extends Message {
  private final String groupId;
  private final Map<String, Object> traits;

  private Group(Builder b) {
    this(b, Values.snapshotObject(b.traits, "traits"));
  }

  private Group(Builder b, Values.Snapshot t) {
    super(b, MessageSizes.stringBound(b.groupId) + t.sizeBound());
    this.groupId = b.groupId;
    this.traits = t.map();
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

  @Override
  String describe() {
    return ", groupId=" + groupId + ", traits=" + traits;
  }

  /** Builder of {@link Group}. */
  public static final class Builder extends Message.Builder<Group, Builder> {
    private final String groupId;
    private Map<?, ?> traits;

    private Builder(String groupId) {
      this.groupId = groupId;
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
