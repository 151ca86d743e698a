package dev.beacon.plugins;

import dev.beacon.Message;
import dev.beacon.MessageType;
import dev.beacon.Track;
import dev.beacon.spi.Plugin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Drops messages by type, by track event name, or by a predicate (internal users, bots). A dropped
 * message makes the call return {@code false} and is counted as
 * {@link dev.beacon.DropReason#FILTERED}.
 *
 * <pre>{@code
 * Plugin filter = EventFilter.builder()
 *     .denyEvents("Debug Clicked", "Health Checked")
 *     .denyTypes(MessageType.SCREEN)
 *     .denyIf(m -> m.userId() != null && m.userId().startsWith("test-"))
 *     .build();
 * }</pre>
 *
 * <p>A message passes when its type is allowed (every type when no allow list was given) and not
 * denied, when it is not a track message or its event is allowed (every event when no allow list
 * was given) and not denied, and when no deny predicate matches. Event names match exactly.
 */
public final class EventFilter implements Plugin {
  private final Set<MessageType> allowTypes;
  private final Set<MessageType> denyTypes;
  private final Set<String> allowEvents;
  private final Set<String> denyEvents;
  private final Predicate<Message>[] denyIf;

  private EventFilter(Builder b) {
    this.allowTypes = b.allowTypes.isEmpty() ? null : EnumSet.copyOf(b.allowTypes);
    this.denyTypes = b.denyTypes.isEmpty() ? EnumSet.noneOf(MessageType.class) : EnumSet.copyOf(b.denyTypes);
    this.allowEvents = b.allowEvents.isEmpty() ? null : Set.copyOf(b.allowEvents);
    this.denyEvents = Set.copyOf(b.denyEvents);
    @SuppressWarnings("unchecked")
    Predicate<Message>[] preds = b.denyIf.toArray(new Predicate[0]);
    this.denyIf = preds;
  }

  /**
   * Starts a filter that lets everything pass.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Tells whether a message passes.
   *
   * @param message a message
   * @return true when it passes, false when the filter drops it
   */
  public boolean test(Message message) {
    MessageType type = message.type();
    if (allowTypes != null && !allowTypes.contains(type) || denyTypes.contains(type)) {
      return false;
    }
    if (message instanceof Track) {
      String event = ((Track) message).event();
      if (allowEvents != null && !allowEvents.contains(event) || denyEvents.contains(event)) {
        return false;
      }
    }
    for (Predicate<Message> p : denyIf) {
      if (p.test(message)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Message apply(Message message) {
    return test(message) ? message : null;
  }

  @Override
  public String toString() {
    return "EventFilter{allowTypes=" + allowTypes + ", denyTypes=" + denyTypes + ", allowEvents=" + allowEvents
        + ", denyEvents=" + denyEvents + ", denyIf=" + denyIf.length + "}";
  }

  /** Builder of {@link EventFilter}. */
  public static final class Builder {
    private final Set<MessageType> allowTypes = new HashSet<>();
    private final Set<MessageType> denyTypes = new HashSet<>();
    private final Set<String> allowEvents = new HashSet<>();
    private final Set<String> denyEvents = new HashSet<>();
    private final List<Predicate<Message>> denyIf = new ArrayList<>();

    private Builder() {}

    /**
     * Lets only these types pass (adds to the list).
     *
     * @param types the types to allow
     * @return this builder
     */
    public Builder allowTypes(MessageType... types) {
      allowTypes.addAll(Arrays.asList(types));
      return this;
    }

    /**
     * Drops these types (adds to the list).
     *
     * @param types the types to drop
     * @return this builder
     */
    public Builder denyTypes(MessageType... types) {
      denyTypes.addAll(Arrays.asList(types));
      return this;
    }

    /**
     * Lets only track messages with these event names pass (adds to the list); other types are
     * not affected.
     *
     * @param events exact event names
     * @return this builder
     */
    public Builder allowEvents(String... events) {
      allowEvents.addAll(Arrays.asList(events));
      return this;
    }

    /**
     * Drops track messages with these event names (adds to the list).
     *
     * @param events exact event names
     * @return this builder
     */
    public Builder denyEvents(String... events) {
      denyEvents.addAll(Arrays.asList(events));
      return this;
    }

    /**
     * Drops messages this predicate matches, e.g. internal users or bots (adds to the list). The
     * predicate runs on the caller's thread and must be thread-safe.
     *
     * @param predicate true to drop
     * @return this builder
     */
    public Builder denyIf(Predicate<Message> predicate) {
      denyIf.add(predicate);
      return this;
    }

    /**
     * Creates the filter.
     *
     * @return the filter
     * @throws IllegalArgumentException when a name, type or predicate is null or a name is blank
     */
    public EventFilter build() {
      if (allowTypes.contains(null) || denyTypes.contains(null)) {
        throw new IllegalArgumentException("allowTypes and denyTypes must not contain null");
      }
      for (Set<String> s : List.of(allowEvents, denyEvents)) {
        for (String e : s) {
          if (e == null || e.isBlank()) {
            throw new IllegalArgumentException("allowEvents and denyEvents must not contain null or blank names");
          }
        }
      }
      if (denyIf.contains(null)) {
        throw new IllegalArgumentException("denyIf predicate must not be null");
      }
      return new EventFilter(this);
    }
  }
}
