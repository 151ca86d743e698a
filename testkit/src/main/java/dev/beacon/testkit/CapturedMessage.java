package dev.beacon.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One message as it went on the wire, parsed back from its JSON: what a receiver would see,
 * stamped fields ({@code messageId}, {@code timestamp}, {@code context.library}) included.
 */
public final class CapturedMessage {
  /**
   * The maps, or how to build them. Behind a final field so that a message handed to another
   * thread without synchronization (a listener's plain field) is still seen whole.
   */
  private final Maps maps;
  /** Known without the maps when built lazily: {@code type}, {@code messageId}, {@code event}. */
  private final String knownType;
  private final String knownMessageId;
  private final String knownEvent;

  /**
   * Wraps a parsed message object.
   *
   * @param json the message's JSON object as maps, lists and scalars
   */
  public CapturedMessage(Map<String, Object> json) {
    this.maps = new Maps(Collections.unmodifiableMap(new LinkedHashMap<>(json)), null);
    this.knownType = null;
    this.knownMessageId = null;
    this.knownEvent = null;
  }

  /**
   * A message whose maps are built only when something asks for more than its type, id or event
   * (the collector's streaming path: counting and duplicate detection need no maps).
   */
  CapturedMessage(String type, String messageId, String event, Supplier<Map<String, Object>> source) {
    this.maps = new Maps(null, source);
    this.knownType = type;
    this.knownMessageId = messageId;
    this.knownEvent = event;
  }

  /**
   * Returns the whole JSON object.
   *
   * @return an unmodifiable map
   */
  public Map<String, Object> json() {
    return maps.get();
  }

  /**
   * Returns the {@code type} field.
   *
   * @return e.g. {@code "track"}
   */
  public String type() {
    return maps.json == null ? knownType : string("type");
  }

  /**
   * Returns the {@code userId} field.
   *
   * @return the user id, or null
   */
  public String userId() {
    return string("userId");
  }

  /**
   * Returns the {@code anonymousId} field.
   *
   * @return the anonymous id, or null
   */
  public String anonymousId() {
    return string("anonymousId");
  }

  /**
   * Returns the {@code messageId} field.
   *
   * @return the message id
   */
  public String messageId() {
    return maps.json == null ? knownMessageId : string("messageId");
  }

  /**
   * Returns the {@code timestamp} field as sent.
   *
   * @return ISO-8601 text
   */
  public String timestamp() {
    return string("timestamp");
  }

  /**
   * Returns the {@code event} field of a track message.
   *
   * @return the event name, or null
   */
  public String event() {
    return maps.json == null ? knownEvent : string("event");
  }

  /**
   * Returns the {@code name} field of a page or screen message.
   *
   * @return the name, or null
   */
  public String name() {
    return string("name");
  }

  /**
   * Returns the {@code groupId} field of a group message.
   *
   * @return the group id, or null
   */
  public String groupId() {
    return string("groupId");
  }

  /**
   * Returns the {@code previousId} field of an alias message.
   *
   * @return the previous id, or null
   */
  public String previousId() {
    return string("previousId");
  }

  /**
   * Returns the {@code properties} object.
   *
   * @return the properties, empty when absent
   */
  public Map<String, Object> properties() {
    return object("properties");
  }

  /**
   * Returns the {@code traits} object.
   *
   * @return the traits, empty when absent
   */
  public Map<String, Object> traits() {
    return object("traits");
  }

  /**
   * Returns the {@code context} object.
   *
   * @return the context, empty when absent
   */
  public Map<String, Object> context() {
    return object("context");
  }

  /**
   * Returns the {@code integrations} object.
   *
   * @return the integrations, empty when absent
   */
  public Map<String, Object> integrations() {
    return object("integrations");
  }

  /**
   * Reads a value by a dotted path with optional list indexes, e.g.
   * {@code "properties.products[0].price"} or {@code "context.library.name"}.
   *
   * @param path the path
   * @return the value, or null when any step is missing
   */
  public Object get(String path) {
    Object cur = json();
    for (String part : path.split("\\.")) {
      String key = part;
      int bracket = part.indexOf('[');
      String indexes = "";
      if (bracket >= 0) {
        key = part.substring(0, bracket);
        indexes = part.substring(bracket);
      }
      if (!key.isEmpty()) {
        if (!(cur instanceof Map)) {
          return null;
        }
        cur = ((Map<?, ?>) cur).get(key);
      }
      while (!indexes.isEmpty()) {
        int close = indexes.indexOf(']');
        int idx = Integer.parseInt(indexes.substring(1, close));
        indexes = indexes.substring(close + 1);
        if (!(cur instanceof List) || idx >= ((List<?>) cur).size()) {
          return null;
        }
        cur = ((List<?>) cur).get(idx);
      }
    }
    return cur;
  }

  private String string(String field) {
    Object v = json().get(field);
    return v == null ? null : v.toString();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> object(String field) {
    Object v = json().get(field);
    return v instanceof Map ? Collections.unmodifiableMap((Map<String, Object>) v) : Map.of();
  }

  @Override
  public String toString() {
    return json().toString();
  }

  /** The message as maps: given, or built from {@code source} the first time it is asked for. */
  private static final class Maps {
    volatile Map<String, Object> json;
    /** Builds {@link #json} for a message the collector checked on the token stream; null once built. */
    private Supplier<Map<String, Object>> source;

    Maps(Map<String, Object> json, Supplier<Map<String, Object>> source) {
      this.json = json;
      this.source = source;
    }

    Map<String, Object> get() {
      Map<String, Object> m = json;
      if (m == null) {
        synchronized (this) {
          m = json;
          if (m == null) {
            m = Collections.unmodifiableMap(source.get());
            json = m;
            source = null; // the kept bytes can go
          }
        }
      }
      return m;
    }
  }
}
