package dev.beacon.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.beacon.Alias;
import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.MessageType;
import dev.beacon.Page;
import dev.beacon.Screen;
import dev.beacon.Track;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Segment JSON back into validated {@link Message}s: for messages read back from the spool,
 * and for tools that import JSON files. Not API.
 */
public final class MessageCodec {
  private MessageCodec() {}

  /**
   * Parses one JSON object into maps, lists, strings, numbers ({@code Long}, {@code BigDecimal}
   * or {@code java.math.BigInteger}), booleans and nulls.
   *
   * @param json UTF-8 JSON text
   * @param offset start in the buffer
   * @param length length of the text
   * @return the object
   * @throws IllegalArgumentException when the text is not exactly one JSON object under
   *     {@link WireRules}' policy (UTF-8, no repeated key, nothing after it, numbers in range)
   */
  public static Map<String, Object> parseObject(byte[] json, int offset, int length) {
    try (JsonParser p = WireRules.parser(MessageSerializer.JSON, json, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      Map<String, Object> m = readObject(p);
      WireRules.requireEnd(p);
      return m;
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid JSON: " + e.getMessage().split("\n")[0], e);
    }
  }

  private static Map<String, Object> readObject(JsonParser p) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      try {
        m.put(name, readValue(p));
      } catch (WireRules.OutOfRange e) {
        throw e.under(name); // the refusal names the field: "userId: the number ... is out of range"
      }
    }
    return m;
  }

  private static Object readValue(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT:
        return readObject(p);
      case START_ARRAY: {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          try {
            l.add(readValue(p));
          } catch (WireRules.OutOfRange e) {
            throw e.under("[" + l.size() + "]");
          }
        }
        return l;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          java.math.BigInteger big = p.getBigIntegerValue();
          WireRules.checkNumber(big);
          return big;
        }
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return WireRules.decimal(p);
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IllegalArgumentException("unexpected JSON token " + p.currentToken());
    }
  }

  /**
   * Decodes one message's JSON and validates it with the builders' rules.
   *
   * @param json UTF-8 JSON of one message
   * @param offset start in the buffer
   * @param length length
   * @return the message, with its messageId and timestamp kept
   * @throws IllegalArgumentException naming the problem when the JSON is not a valid message
   */
  public static Message decode(byte[] json, int offset, int length) {
    return fromMap(parseObject(json, offset, length));
  }

  /**
   * Builds a message from a parsed Segment message object. Keeps {@code messageId} and
   * {@code timestamp} when present; {@code context.library} is replaced when sent.
   *
   * @param m the object
   * @return the validated message
   * @throws IllegalArgumentException naming the field when the object is not a valid message
   */
  public static Message fromMap(Map<String, Object> m) {
    Object typeValue = m.get("type");
    if (!(typeValue instanceof String)) {
      throw new IllegalArgumentException("type is missing or not a string");
    }
    MessageType type;
    try {
      type = MessageType.fromWireName((String) typeValue);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("type must be one of identify, track, page, screen, group, alias but was: "
          + WireRules.printable((String) typeValue, 60));
    }
    Message.Builder<?, ?> b;
    switch (type) {
      case TRACK:
        b = Track.builder(string(m, "event")).properties(map(m, "properties"));
        break;
      case IDENTIFY:
        b = Identify.builder().traits(map(m, "traits"));
        break;
      case PAGE:
        b = Page.builder().name(string(m, "name")).category(string(m, "category")).properties(map(m, "properties"));
        break;
      case SCREEN:
        b = Screen.builder().name(string(m, "name")).category(string(m, "category")).properties(map(m, "properties"));
        break;
      case GROUP:
        b = Group.builder(id(m, "groupId")).traits(map(m, "traits"));
        break;
      case ALIAS:
      default:
        b = Alias.builder(id(m, "previousId"));
        break;
    }
    b.userId(id(m, "userId")).anonymousId(id(m, "anonymousId")).messageId(id(m, "messageId"))
        .context(map(m, "context")).integrations(map(m, "integrations"));
    String ts = string(m, "timestamp");
    if (ts != null) {
      b.timestamp(parseTimestamp(ts));
    }
    return b.build();
  }

  /**
   * Parses an ISO-8601 timestamp with a zone or offset.
   *
   * @param ts the text, e.g. {@code 2024-01-15T10:30:00Z} or {@code 2024-01-15T11:30:00+01:00}
   * @return the instant
   * @throws IllegalArgumentException when the text is not such a timestamp
   */
  public static Instant parseTimestamp(String ts) {
    try {
      return OffsetDateTime.parse(ts).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("timestamp is not ISO-8601 with a zone: " + WireRules.printable(ts, 60));
    }
  }

  private static String string(Map<String, Object> m, String field) {
    Object v = m.get(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      throw new IllegalArgumentException(field + " must be a string but was " + describe(v));
    }
    return (String) v;
  }

  /**
   * Ids may arrive as numbers from other SDKs; Segment turns them into strings, within
   * {@link WireRules#numericId}'s bound.
   */
  private static String id(Map<String, Object> m, String field) {
    Object v = m.get(field);
    if (v instanceof Number) {
      return WireRules.numericId(field, (Number) v);
    }
    return string(m, field);
  }

  /** A value for an error text: short, and safe to print (input may hold control characters). */
  private static String describe(Object v) {
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "an array";
    }
    return WireRules.printable(String.valueOf(v), 60);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> map(Map<String, Object> m, String field) {
    Object v = m.get(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException(field + " must be an object but was " + describe(v));
    }
    return (Map<String, ?>) v;
  }

  /**
   * Serializes a message for the journal.
   *
   * @param m the message
   * @return its JSON
   * @throws UncheckedIOException never in practice
   */
  public static byte[] encode(Message m) {
    return MessageSerializer.toBytes(m);
  }
}
