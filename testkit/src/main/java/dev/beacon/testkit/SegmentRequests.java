package dev.beacon.testkit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates Segment request bodies for {@link CollectorServer}, as the HTTP Tracking
 * API's rules say: the envelope, each message's type, ids, event, group and alias fields,
 * ISO-8601 timestamps with a zone, and {@code context.library}. Not API.
 */
final class SegmentRequests {
  static final Set<String> TYPES = Set.of("identify", "track", "page", "screen", "group", "alias");
  private static final int MAX_MESSAGE_ID_CHARS = 100;
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private SegmentRequests() {}

  /** A request the server refuses: 400, or the size-limit answer when {@code tooLarge}. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean tooLarge;

    Refusal(String message, boolean tooLarge) {
      super(message, null, false, false);
      this.tooLarge = tooLarge;
    }
  }

  /** A parsed body: the messages, their serialized sizes, and envelope fields. */
  static final class Parsed {
    final List<Map<String, Object>> messages = new ArrayList<>();
    final List<Long> sizes = new ArrayList<>();
    Map<String, Object> context;
    Object sentAt;
    Object writeKey;
  }

  /** Parses a {@code /v1/batch} body, measuring each message's bytes as sent. */
  static Parsed parseBatch(byte[] body) throws Refusal {
    Parsed out = new Parsed();
    try (JsonParser p = MAPPER.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Refusal("the body is not a JSON object", false);
      }
      boolean sawBatch = false;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        t = p.nextToken();
        switch (name) {
          case "batch":
            sawBatch = true;
            if (t != JsonToken.START_ARRAY) {
              throw new Refusal("\"batch\" must be an array", false);
            }
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
              if (t != JsonToken.START_OBJECT) {
                throw new Refusal("batch[" + out.messages.size() + "] is not an object", false);
              }
              long start = p.currentTokenLocation().getByteOffset();
              Map<String, Object> m = MAPPER.readValue(p, MAP);
              long end = p.currentLocation().getByteOffset();
              out.messages.add(m);
              out.sizes.add(end - start);
            }
            break;
          case "context":
            Object ctx = MAPPER.readValue(p, Object.class);
            if (!(ctx instanceof Map)) {
              throw new Refusal("the batch \"context\" must be an object", false);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) ctx;
            out.context = c;
            break;
          case "sentAt":
            out.sentAt = MAPPER.readValue(p, Object.class);
            break;
          case "writeKey":
            out.writeKey = MAPPER.readValue(p, Object.class);
            break;
          default:
            p.skipChildren();
            break;
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new Refusal("the body is not one JSON object", false);
      }
      if (!sawBatch) {
        throw new Refusal("the body has no \"batch\" array", false);
      }
    } catch (IOException e) {
      throw new Refusal("invalid JSON: " + firstLine(e.getMessage()), false);
    }
    return out;
  }

  /** Parses a single-call body ({@code /v1/track} and so on): one message object. */
  static Parsed parseSingle(byte[] body) throws Refusal {
    Parsed out = new Parsed();
    try {
      Map<String, Object> m = MAPPER.readValue(body, MAP);
      if (m == null) {
        throw new Refusal("the body is not a JSON object", false);
      }
      out.writeKey = m.remove("writeKey");
      out.sentAt = m.get("sentAt");
      out.messages.add(m);
      out.sizes.add((long) body.length);
    } catch (IOException e) {
      throw new Refusal("invalid JSON: " + firstLine(e.getMessage()), false);
    }
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * Checks one message.
   *
   * @param m the message
   * @param index its place in the batch, for the error text
   * @param pathType the type implied by a single-call endpoint, or null for {@code /v1/batch}
   * @param batchContext the envelope's {@code context}, or null
   * @return null when valid, else what is wrong
   */
  static String validate(Map<String, Object> m, int index, String pathType, Map<String, Object> batchContext) {
    String where = pathType == null ? "batch[" + index + "]" : "the message";
    Object type = m.get("type");
    if (pathType != null) {
      if (type == null) {
        m.put("type", pathType);
        type = pathType;
      } else if (!pathType.equals(type)) {
        return where + " has type " + type + " but was sent to /v1/" + pathType;
      }
    }
    if (!(type instanceof String) || !TYPES.contains(type)) {
      return where + ": \"type\" must be one of " + TYPES + " but was " + type;
    }
    boolean hasUser = isId(m.get("userId"));
    boolean hasAnon = isId(m.get("anonymousId"));
    if (!hasUser && !hasAnon) {
      return where + " (" + type + "): needs a non-blank userId or anonymousId";
    }
    if (m.containsKey("userId") && m.get("userId") != null && !hasUser) {
      return where + " (" + type + "): \"userId\" must be a non-blank string";
    }
    if (m.containsKey("anonymousId") && m.get("anonymousId") != null && !hasAnon) {
      return where + " (" + type + "): \"anonymousId\" must be a non-blank string";
    }
    Object messageId = m.get("messageId");
    if (messageId != null && (!(messageId instanceof String) || ((String) messageId).isBlank()
        || ((String) messageId).length() > MAX_MESSAGE_ID_CHARS)) {
      return where + " (" + type + "): \"messageId\" must be a non-blank string of at most "
          + MAX_MESSAGE_ID_CHARS + " characters";
    }
    for (String field : new String[] {"timestamp", "originalTimestamp", "sentAt"}) {
      String bad = checkTimestamp(m.get(field));
      if (bad != null) {
        return where + " (" + type + "): \"" + field + "\" " + bad;
      }
    }
    for (String field : new String[] {"properties", "traits", "context", "integrations"}) {
      Object v = m.get(field);
      if (v != null && !(v instanceof Map)) {
        return where + " (" + type + "): \"" + field + "\" must be an object";
      }
    }
    if (!hasLibrary(m.get("context")) && !hasLibrary(batchContext)) {
      return where + " (" + type + "): \"context.library\" must be an object with a \"name\"";
    }
    switch ((String) type) {
      case "track":
        if (!isNonBlankString(m.get("event"))) {
          return where + " (track): \"event\" must be a non-blank string";
        }
        break;
      case "group":
        if (!isId(m.get("groupId"))) {
          return where + " (group): \"groupId\" must be a non-blank string";
        }
        break;
      case "alias":
        if (!hasUser) {
          return where + " (alias): \"userId\" is required";
        }
        if (!isId(m.get("previousId"))) {
          return where + " (alias): \"previousId\" must be a non-blank string";
        }
        break;
      case "page":
      case "screen":
        Object name = m.get("name");
        if (name != null && !(name instanceof String)) {
          return where + " (" + type + "): \"name\" must be a string";
        }
        break;
      default:
        break;
    }
    return null;
  }

  /** Checks an envelope or message time: absent is fine; present must be ISO-8601 with a zone. */
  static String checkTimestamp(Object v) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      return "must be an ISO-8601 string but was " + v;
    }
    try {
      OffsetDateTime.parse((String) v);
      return null;
    } catch (DateTimeParseException e) {
      return "is not an ISO-8601 date-time with a zone: " + v;
    }
  }

  private static boolean hasLibrary(Object context) {
    if (!(context instanceof Map)) {
      return false;
    }
    Object lib = ((Map<?, ?>) context).get("library");
    return lib instanceof Map && isNonBlankString(((Map<?, ?>) lib).get("name"));
  }

  /** Ids are strings; some SDKs send numbers, which Segment converts. */
  private static boolean isId(Object v) {
    return isNonBlankString(v) || v instanceof Number;
  }

  private static boolean isNonBlankString(Object v) {
    return v instanceof String && !((String) v).isBlank();
  }
}
