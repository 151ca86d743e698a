package dev.beacon.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/** Assertions on everything a {@link MessageRecorder} recorded. */
public final class RecorderAssert extends AbstractAssert<RecorderAssert, MessageRecorder> {
  RecorderAssert(MessageRecorder actual) {
    super(actual, RecorderAssert.class);
  }

  private List<CapturedMessage> all() {
    isNotNull();
    return actual.messages();
  }

  private MessageAssert single(String what, Predicate<CapturedMessage> p) {
    List<CapturedMessage> matches = all().stream().filter(p).collect(Collectors.toList());
    if (matches.isEmpty()) {
      failWithMessage("Expected %s but none was recorded. Recorded: %s", what, summary(all()));
    }
    return new MessageAssert(matches.get(matches.size() - 1));
  }

  /**
   * Nothing recorded usually means the messages were still queued: the client batches, so a test
   * must flush before it asserts.
   */
  static final String EMPTY_HINT = "nothing (did the test call analytics.flush() before asserting? messages are"
      + " sent in batches, and a capture or collector records them only once a batch is sent)";

  private static String summary(List<CapturedMessage> msgs) {
    if (msgs.isEmpty()) {
      return EMPTY_HINT;
    }
    return msgs.stream().limit(20).map(m -> m.type() + (m.event() != null ? "(" + m.event() + ")" : "")
        + "[" + (m.userId() != null ? m.userId() : m.anonymousId()) + "]")
        .collect(Collectors.joining(", ", "[", msgs.size() > 20 ? ", ...]" : "]"));
  }

  /**
   * Checks a track message with this event was recorded; continues on the latest such message.
   *
   * @param event the event name
   * @return assertions on that message
   */
  public MessageAssert hasTracked(String event) {
    return single("a track of \"" + event + "\"", m -> "track".equals(m.type()) && event.equals(m.event()));
  }

  /**
   * Checks an identify message for this user was recorded.
   *
   * @param userId the user id
   * @return assertions on the latest such message
   */
  public MessageAssert hasIdentified(String userId) {
    return single("an identify of " + userId, m -> "identify".equals(m.type()) && userId.equals(m.userId()));
  }

  /**
   * Checks a message of this type was recorded.
   *
   * @param type e.g. {@code "page"}
   * @return assertions on the latest such message
   */
  public MessageAssert hasMessageOfType(String type) {
    return single("a " + type + " message", m -> type.equals(m.type()));
  }

  /**
   * Checks a message with this id was recorded.
   *
   * @param messageId the id
   * @return assertions on that message
   */
  public MessageAssert hasMessageWithId(String messageId) {
    return single("a message with id " + messageId, m -> messageId.equals(m.messageId()));
  }

  /**
   * Checks no track message with this event was recorded.
   *
   * @param event the event name
   * @return this
   */
  public RecorderAssert hasNotTracked(String event) {
    long n = all().stream().filter(m -> "track".equals(m.type()) && event.equals(m.event())).count();
    if (n > 0) {
      failWithMessage("Expected no track of \"%s\" but %d were recorded", event, n);
    }
    return this;
  }

  /**
   * Checks the number of recorded messages.
   *
   * @param expected the count
   * @return this
   */
  public RecorderAssert hasMessageCount(int expected) {
    int n = all().size();
    if (n != expected) {
      failWithMessage("Expected %d message(s) but %d were recorded: %s", expected, n,
          n == 0 ? EMPTY_HINT : summary(all()));
    }
    return this;
  }

  /**
   * Checks nothing was recorded.
   *
   * @return this
   */
  public RecorderAssert isEmpty() {
    return hasMessageCount(0);
  }

  /**
   * Checks no messageId was recorded twice.
   *
   * @return this
   */
  public RecorderAssert hasNoDuplicateMessageIds() {
    Map<String, Integer> counts = new HashMap<>();
    for (CapturedMessage m : all()) {
      counts.merge(Objects.toString(m.messageId()), 1, Integer::sum);
    }
    List<String> dups = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
        .limit(10).collect(Collectors.toList());
    if (!dups.isEmpty()) {
      failWithMessage("Expected unique messageIds but these arrived more than once: %s", dups);
    }
    return this;
  }
}
