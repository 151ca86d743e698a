package dev.beacon;

import dev.beacon.internal.MessageSizes;
import dev.beacon.internal.Values;
import dev.beacon.internal.FastIds;
import java.time.Instant;
import java.util.Map;

/**
 * One immutable Segment message: the common fields of every call. Instances are built with the
 * builder of a concrete type ({@link Identify}, {@link Track}, {@link Page}, {@link Screen},
 * {@link Group}, {@link Alias}) and handed to {@link Analytics#enqueue(Message)}.
 *
 * <p>Building a message validates it ({@link IllegalArgumentException} naming the bad field),
 * deep-copies every map the caller passed (later changes to them change nothing), and stamps a
 * random {@code messageId} and the current {@code timestamp} when they were not set.
 */
public abstract sealed class Message permits Identify, Track, Page, Screen, Group, Alias {
  /** Largest serialized message Segment accepts: 32 KB. */
  public static final int MAX_MESSAGE_BYTES = 32 * 1024;
  /** Longest {@code messageId} accepted: 100 characters. */
  public static final int MAX_MESSAGE_ID_LENGTH = 100;

  private final String userId;
  private final String anonymousId;
  private final String messageId;
  private final Instant timestamp;
  private final Map<String, Object> context;
  private final Map<String, Object> integrations;
  private final int contextBound;
  private final int integrationsBound;
  /**
   * Upper bound of the serialized size: the common fields' bound plus the payload's. Final, so a
   * message handed to another thread through a data race still shows it (JLS 17.5).
   */
  private final int cheapBound;
  /**
   * Exact serialized size, used only when {@link #cheapBound} is above the limit; 0 until known.
   * Racy single-check, as {@code String.hashCode}: it is computed from final fields only, so every
   * thread computes the same value, and an int is written atomically; a thread that sees 0 (the
   * constructor's write raced with its read) serializes the message again and gets the same answer.
   */
  private int exactSize;

  Message(Builder<?, ?> b, int payloadBound) {
    this.userId = b.userId;
    this.anonymousId = b.anonymousId;
    this.messageId = b.messageId != null ? b.messageId : FastIds.randomUuid();
    this.timestamp = b.timestamp != null ? b.timestamp : Instant.ofEpochMilli(System.currentTimeMillis());
    Message src = b.source;
    Values.Snapshot ctx = src == null ? Values.snapshotObject(b.context, "context")
        : snapshot(b.context, src.context, src.contextBound, "context");
    Values.Snapshot integ = src == null ? Values.snapshotObject(b.integrations, "integrations")
        : snapshot(b.integrations, src.integrations, src.integrationsBound, "integrations");
    this.context = ctx.map();
    this.integrations = integ.map();
    this.contextBound = ctx.sizeBound();
    this.integrationsBound = integ.sizeBound();
    // In long: each part saturates at Integer.MAX_VALUE, so their int sum could wrap negative.
    long bound = (long) MessageSizes.FIXED_OVERHEAD + ctx.sizeBound() + integ.sizeBound()
        + MessageSizes.stringBound(userId) + MessageSizes.stringBound(anonymousId)
        + MessageSizes.stringBound(messageId) + payloadBound;
    this.cheapBound = (int) Math.min(Integer.MAX_VALUE, bound);
  }

  /**
   * Snapshots a map, or reuses the snapshot a copy made with {@link #toBuilder()} still holds:
   * a map left as it was is the same immutable instance, so walking it again would find the same.
   */
  static Values.Snapshot snapshot(Map<?, ?> given, Map<String, Object> frozen, int frozenBound, String path) {
    return given != null && given == frozen ? new Values.Snapshot(frozen, frozenBound)
        : Values.snapshotObject(given, path);
  }

  /**
   * Called last by each subclass constructor, once every field is set: refuses a message whose
   * serialized size exceeds {@link #MAX_MESSAGE_BYTES}.
   */
  final void checkSize() {
    if (cheapBound > MAX_MESSAGE_BYTES) {
      exactSize = MessageSizes.checkedSizeBound(this, cheapBound);
    }
  }

  /**
   * Returns a builder holding every field of this message, {@code messageId} and
   * {@code timestamp} included, to build a changed copy (in a {@link dev.beacon.spi.Plugin}, say).
   * The copy's {@code build()} validates it and bounds its size again.
   *
   * @return a new builder of this message's type
   */
  public abstract Builder<? extends Message, ?> toBuilder();

  /**
   * Returns the call type.
   *
   * @return the type of this message
   */
  public abstract MessageType type();

  /**
   * Returns the user id.
   *
   * @return your stable id for the user, or {@code null} when only {@link #anonymousId()} is set
   */
  public final String userId() {
    return userId;
  }

  /**
   * Returns the anonymous id.
   *
   * @return the id of a user who is not logged in, or {@code null}
   */
  public final String anonymousId() {
    return anonymousId;
  }

  /**
   * Returns the message id, the key Segment de-duplicates on.
   *
   * @return the id given to the builder, or a random UUID stamped at build time
   */
  public final String messageId() {
    return messageId;
  }

  /**
   * Returns when the event happened.
   *
   * @return the timestamp given to the builder, or the build time (millisecond precision)
   */
  public final Instant timestamp() {
    return timestamp;
  }

  /**
   * Returns the caller's context object (Beacon adds {@code context.library} on the wire).
   *
   * @return an unmodifiable snapshot, empty when none was given
   */
  public final Map<String, Object> context() {
    return context;
  }

  /**
   * Returns the integrations object that enables or disables destinations.
   *
   * @return an unmodifiable snapshot, empty when none was given
   */
  public final Map<String, Object> integrations() {
    return integrations;
  }

  /**
   * Returns an upper bound of this message's serialized size, {@code context.library} included.
   * Never above {@link #MAX_MESSAGE_BYTES}: larger messages cannot be built.
   *
   * @return the bound in bytes
   */
  public final int serializedSizeBound() {
    int bound = cheapBound;
    if (bound <= MAX_MESSAGE_BYTES) {
      return bound;
    }
    int exact = exactSize;
    if (exact == 0) {
      exact = MessageSizes.checkedSizeBound(this, bound);
      exactSize = exact;
    }
    return exact;
  }

  @Override
  public String toString() {
    return type().wireName() + "{messageId=" + messageId + ", userId=" + userId
        + ", anonymousId=" + anonymousId + ", timestamp=" + timestamp + describe() + "}";
  }

  /** Extra fields for {@link #toString()}. */
  abstract String describe();

  static String requireNonBlank(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be null or blank");
    }
    return value;
  }

  /**
   * The fields every builder shares.
   *
   * @param <M> the message type built
   * @param <B> the concrete builder type, returned by every setter for chaining
   */
  public abstract static class Builder<M extends Message, B extends Builder<M, B>> {
    String userId;
    String anonymousId;
    String messageId;
    Instant timestamp;
    Map<?, ?> context;
    Map<?, ?> integrations;
    /** The message this builder copies ({@link Message#toBuilder()}), or null. */
    Message source;

    Builder() {}

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** Copies the common fields of a built message, for {@link Message#toBuilder()}. */
    final B from(Message m) {
      this.source = m;
      this.userId = m.userId;
      this.anonymousId = m.anonymousId;
      this.messageId = m.messageId;
      this.timestamp = m.timestamp;
      this.context = m.context;
      this.integrations = m.integrations;
      return self();
    }

    /**
     * Sets the user id. At least one of userId and anonymousId must be non-blank.
     *
     * @param userId your stable internal id for the user (not an email address)
     * @return this builder
     */
    public B userId(String userId) {
      this.userId = userId;
      return self();
    }

    /**
     * Sets the anonymous id, for a user who is not logged in.
     *
     * @param anonymousId the anonymous id
     * @return this builder
     */
    public B anonymousId(String anonymousId) {
      this.anonymousId = anonymousId;
      return self();
    }

    /**
     * Sets the message id, the key Segment de-duplicates on. Use {@link MessageIds#stable} so that
     * a retried or re-imported event keeps its id. Default: a random UUID.
     *
     * @param messageId at most {@value Message#MAX_MESSAGE_ID_LENGTH} characters
     * @return this builder
     */
    public B messageId(String messageId) {
      this.messageId = messageId;
      return self();
    }

    /**
     * Sets when the event happened, for backfills. Default: the build time.
     *
     * @param timestamp the event time
     * @return this builder
     */
    public B timestamp(Instant timestamp) {
      this.timestamp = timestamp;
      return self();
    }

    /**
     * Sets the context object (for example {@code traits} or {@code externalIds} for identity
     * resolution). Copied deeply at {@link #build()}.
     *
     * @param context a map with string keys; {@code null} for none
     * @return this builder
     */
    public B context(Map<String, ?> context) {
      this.context = context;
      return self();
    }

    /**
     * Sets the integrations object, e.g. {@code Map.of("All", false, "Mixpanel", true)}.
     *
     * @param integrations a map with string keys; {@code null} for none
     * @return this builder
     */
    public B integrations(Map<String, ?> integrations) {
      this.integrations = integrations;
      return self();
    }

    /**
     * Validates the fields, snapshots the maps and stamps the defaults.
     *
     * @return the immutable message
     * @throws IllegalArgumentException naming the field when the message is invalid or too large
     */
    public abstract M build();

    void validateIdentity(boolean userIdRequired) {
      boolean hasUser = userId != null && !userId.isBlank();
      boolean hasAnon = anonymousId != null && !anonymousId.isBlank();
      if (userIdRequired && !hasUser) {
        throw new IllegalArgumentException("userId must not be null or blank");
      }
      if (!hasUser && !hasAnon) {
        throw new IllegalArgumentException(
            "userId or anonymousId is required: both are null or blank");
      }
      if (userId != null && !hasUser) {
        throw new IllegalArgumentException("userId must not be blank when set");
      }
      if (anonymousId != null && !hasAnon) {
        throw new IllegalArgumentException("anonymousId must not be blank when set");
      }
      if (messageId != null) {
        if (messageId.isBlank()) {
          throw new IllegalArgumentException("messageId must not be blank when set");
        }
        if (messageId.length() > MAX_MESSAGE_ID_LENGTH) {
          throw new IllegalArgumentException("messageId must be at most " + MAX_MESSAGE_ID_LENGTH
              + " characters but has " + messageId.length());
        }
      }
    }
  }
}
