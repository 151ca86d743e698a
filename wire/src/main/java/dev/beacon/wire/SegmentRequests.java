package dev.beacon.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.internal.RawMessage;
import dev.beacon.internal.WireRules;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses, normalizes and validates Segment request bodies for every Beacon component that receives
 * them (the testkit's {@code CollectorServer}, the gateway), as the HTTP
 * Tracking API's rules say: the envelope (batch-level {@code context} and {@code integrations} are
 * merged into every message), each message's type, ids (numbers become strings), event, group and
 * alias fields, and ISO-8601 timestamps. What Segment accepts but an SDK should not send (no
 * {@code context.library}, a timestamp without a zone) is a warning, or a refusal in strict mode.
 * Not API.
 */
public final class SegmentRequests {
  /** The six message types of Segment's spec. */
  public static final Set<String> TYPES = Set.of("identify", "track", "page", "screen", "group", "alias");
  private static final int MAX_MESSAGE_ID_CHARS = WireRules.MAX_MESSAGE_ID_CHARS;
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  /** The id fields Segment stores as strings: a number sent there is converted. */
  private static final String[] ID_FIELDS = WireRules.idFields();
  /** The message fields holding a time. */
  private static final String[] TIME_FIELDS = {"timestamp", "originalTimestamp", "sentAt"};
  /** Warning kind: a message without {@code context.library}. */
  public static final String NO_LIBRARY = "no context.library";
  /** Warning kind: a timestamp without a zone, read as UTC. */
  public static final String NO_ZONE = "timestamp without a zone (read as UTC)";

  /**
   * ISO-8601 date-times as Segment's API reads them: {@code T} between date and time (any case),
   * seconds and a fraction of 1 to 9 digits optional, and a zone as {@code Z}, {@code +01:00},
   * {@code +0100} or {@code +01}; without a zone the time is UTC, which Segment's spec says every
   * timestamp is.
   */
  private static final DateTimeFormatter ISO_8601 = new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_LOCAL_DATE)
      .appendLiteral('T')
      .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':').appendValue(ChronoField.MINUTE_OF_HOUR, 2)
      .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2)
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
      .optionalEnd()
      .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
      .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HH", "Z").optionalEnd()
      .toFormatter()
      .withResolverStyle(ResolverStyle.STRICT)
      .withChronology(IsoChronology.INSTANCE);

  private SegmentRequests() {}

  /** A request the server refuses: 400, or the size-limit answer when {@code tooLarge}. */
  public static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    /** Whether the body broke a size limit (Segment answers those with 400 too; some servers use 413). */
    public final boolean tooLarge;

    /**
     * Makes one.
     *
     * @param message the rule broken, as the answer's error text
     * @param tooLarge whether a size limit was broken
     */
    public Refusal(String message, boolean tooLarge) {
      super(message, null, false, false);
      this.tooLarge = tooLarge;
    }
  }

  /** A parsed body: the messages, their serialized sizes, and envelope fields. */
  public static final class Parsed {
    /** The messages, in body order, as mutable maps. */
    public final List<Map<String, Object>> messages = new ArrayList<>();
    /** Each message's serialized size as sent, in bytes, in the same order. */
    public final List<Long> sizes = new ArrayList<>();
    /** The batch context, unmodifiable at every level: shared by every message it is merged into. */
    public Map<String, Object> context;
    /** The batch integrations, unmodifiable at every level, shared likewise. */
    public Map<String, Object> integrations;
    /** Bytes of the batch context and integrations as sent: what merging can add to a message at most. */
    public long envelopeBytes;
    /** The batch's {@code sentAt} as sent (not yet checked: see {@link SegmentRequests#checkTimestamp}). */
    public Object sentAt;
    /** The body's {@code writeKey} as sent, or null. */
    public Object writeKey;
  }

  /**
   * Parses a {@code /v1/batch} body, measuring each message's bytes as sent.
   *
   * @param body the (inflated) request body
   * @return the messages and envelope
   * @throws Refusal when the body breaks a rule of the wire format; the message names it
   */
  public static Parsed parseBatch(byte[] body) throws Refusal {
    Parsed fast = FastBatch.parse(body);
    // Anything the fast reader did not settle (a refusal, a repeated name, a number near the limits)
    // is read again by the strict reader below, whose answer is the definition.
    return fast != null ? fast : parseBatchStrictly(body);
  }

  /**
   * {@link #parseBatch} as Jackson's databind and strict duplicate detection read it: the
   * definition {@link FastBatch} answers like, and the reader of every body it does not settle.
   *
   * @param body the (inflated) request body
   * @return the messages and envelope
   * @throws Refusal when the body breaks a rule of the wire format; the message names it
   */
  static Parsed parseBatchStrictly(byte[] body) throws Refusal {
    Parsed out = new Parsed();
    try (JsonParser p = WireRules.parser(MAPPER.getFactory(), body, 0, body.length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Refusal("the body is not a JSON object", false);
      }
      boolean sawBatch = false;
      Object firstMessageKey = null;
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
              checkNumbers(m, "batch[" + out.messages.size() + "]");
              long end = p.currentLocation().getByteOffset();
              // analytics.js puts the write key in each batched message too: a secret, never recorded.
              Object messageKey = m.remove("writeKey");
              if (firstMessageKey == null) {
                firstMessageKey = messageKey;
              }
              out.messages.add(m);
              out.sizes.add(end - start);
            }
            break;
          case "context": {
            long start = p.currentTokenLocation().getByteOffset();
            out.context = envelopeObject(p, "context");
            out.envelopeBytes += p.currentLocation().getByteOffset() - start;
            break;
          }
          case "integrations": {
            long start = p.currentTokenLocation().getByteOffset();
            out.integrations = envelopeObject(p, "integrations");
            out.envelopeBytes += p.currentLocation().getByteOffset() - start;
            break;
          }
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
      if (out.writeKey == null) {
        out.writeKey = firstMessageKey;
      }
    } catch (IOException | RuntimeException e) {
      throw refusal(e);
    }
    return out;
  }

  /**
   * Reads a batch body as {@link #parseBatchStrictly} does, building the same maps, lists and
   * values Jackson's untyped reading builds ({@code LinkedHashMap}, {@code ArrayList}, {@code String},
   * {@code Integer}/{@code Long}/{@code BigInteger}, {@code BigDecimal}, {@code Boolean}), but in one
   * pass of its own: a repeated name is noticed by a map that does not grow (instead of Jackson's
   * hash set per object) and numbers are checked as they are read (instead of a second walk). It
   * settles only bodies the strict reader accepts; for anything else — a refusal, a repeated name,
   * a number out of range, a text that is not UTF-8, invalid JSON — it answers null, and the strict
   * reader gives the answer (and the refusal's wording). {@code SegmentRequestsFastBatchTest} holds
   * the two to the same results.
   */
  static final class FastBatch {
    /** Not an answer: the strict reader decides. */
    private static final class Undecided extends Exception {
      private static final long serialVersionUID = 1L;
      static final Undecided INSTANCE = new Undecided();

      private Undecided() {
        super(null, null, false, false);
      }
    }

    private FastBatch() {}

    static Parsed parse(byte[] body) {
      try {
        WireRules.requireUtf8(body, 0, body.length);
        try (JsonParser p = MAPPER.getFactory().createParser(body, 0, body.length)) {
          return parse(p);
        }
      } catch (Undecided | IOException | RuntimeException e) {
        return null;
      } catch (StackOverflowError e) {
        // Nesting up to the parser's 1,000 levels on a small thread stack: the strict reader is not recursive.
        return null;
      }
    }

    private static Parsed parse(JsonParser p) throws IOException, Undecided {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw Undecided.INSTANCE;
      }
      Parsed out = new Parsed();
      List<String> names = new ArrayList<>(4);
      boolean sawBatch = false;
      Object firstMessageKey = null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (names.contains(name)) {
          throw Undecided.INSTANCE;
        }
        names.add(name);
        t = p.nextToken();
        switch (name) {
          case "batch":
            sawBatch = true;
            if (t != JsonToken.START_ARRAY) {
              throw Undecided.INSTANCE;
            }
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
              if (t != JsonToken.START_OBJECT) {
                throw Undecided.INSTANCE;
              }
              long start = p.currentTokenLocation().getByteOffset();
              @SuppressWarnings("unchecked")
              Map<String, Object> m = (Map<String, Object>) value(p, t);
              long end = p.currentLocation().getByteOffset();
              Object messageKey = m.remove("writeKey");
              if (firstMessageKey == null) {
                firstMessageKey = messageKey;
              }
              out.messages.add(m);
              out.sizes.add(end - start);
            }
            break;
          case "context":
          case "integrations": {
            long start = p.currentTokenLocation().getByteOffset();
            Object v = value(p, t);
            if (v != null && !(v instanceof Map)) {
              throw Undecided.INSTANCE;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> frozen = v == null ? null : frozen((Map<String, Object>) v);
            if ("context".equals(name)) {
              out.context = frozen;
            } else {
              out.integrations = frozen;
            }
            out.envelopeBytes += p.currentLocation().getByteOffset() - start;
            break;
          }
          case "sentAt":
            out.sentAt = value(p, t);
            break;
          case "writeKey":
            out.writeKey = value(p, t);
            break;
          default:
            value(p, t); // read, not kept: a repeated name inside is refused as the strict reader refuses it
            break;
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null || !sawBatch) {
        throw Undecided.INSTANCE;
      }
      if (out.writeKey == null) {
        out.writeKey = firstMessageKey;
      }
      return out;
    }

    /** One value from its first token, as Jackson's untyped reading (with big decimals for floats) builds it. */
    private static Object value(JsonParser p, JsonToken t) throws IOException, Undecided {
      switch (t) {
        case START_OBJECT: {
          Map<String, Object> m = new LinkedHashMap<>();
          String name;
          while ((name = p.nextFieldName()) != null) {
            Object v = value(p, p.nextToken());
            int before = m.size();
            m.put(name, v);
            if (m.size() == before) {
              throw Undecided.INSTANCE; // a repeated name
            }
          }
          return m;
        }
        case START_ARRAY: {
          List<Object> l = new ArrayList<>();
          JsonToken e;
          while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            l.add(value(p, e));
          }
          return l;
        }
        case VALUE_STRING:
          return p.getText();
        case VALUE_NUMBER_INT: {
          Number n = p.getNumberValue();
          if (n instanceof BigInteger) {
            WireRules.checkNumber(n); // out of range: an IllegalArgumentException, so undecided
          }
          return n;
        }
        case VALUE_NUMBER_FLOAT: {
          BigDecimal d = p.getDecimalValue();
          WireRules.checkNumber(d);
          return d;
        }
        case VALUE_TRUE:
          return Boolean.TRUE;
        case VALUE_FALSE:
          return Boolean.FALSE;
        case VALUE_NULL:
          return null;
        default:
          throw Undecided.INSTANCE;
      }
    }
  }

  /**
   * The refusal of a body {@link WireRules}' policy or the parser refuses: a non-UTF-8 text, a
   * repeated key, trailing content, a number out of range (Jackson's {@code NumberFormatException})
   * all become a 400 naming the problem, never a dropped connection.
   */
  private static Refusal refusal(Exception e) {
    String text = e instanceof IllegalArgumentException && !(e instanceof NumberFormatException)
        ? e.getMessage() : e instanceof IOException ? "invalid JSON: " + firstLine(e.getMessage())
        : "invalid JSON: a number is out of range (" + e.getClass().getSimpleName() + ")";
    return new Refusal(WireRules.printable(text, 300), false);
  }

  /** {@link WireRules#checkNumbers} as a refusal that names where: "batch[3]: properties.x: the number ...". */
  private static void checkNumbers(Object value, String where) throws Refusal {
    try {
      WireRules.checkNumbers(value);
    } catch (IllegalArgumentException e) {
      throw new Refusal(where + ": " + e.getMessage(), false);
    }
  }

  /** Reads a batch-level object, unmodifiable at every level so that messages can share it; null is as good as absent. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> envelopeObject(JsonParser p, String name) throws IOException, Refusal {
    Object v = MAPPER.readValue(p, Object.class);
    if (v != null && !(v instanceof Map)) {
      throw new Refusal("the batch \"" + name + "\" must be an object", false);
    }
    checkNumbers(v, "the batch \"" + name + "\"");
    return v == null ? null : frozen((Map<String, Object>) v);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> frozen(Map<String, Object> m) {
    m.replaceAll((k, v) -> v instanceof Map ? frozen((Map<String, Object>) v) : v);
    return Collections.unmodifiableMap(m);
  }

  /**
   * Finds a top-level {@code writeKey} in a batch body without building anything else: what the
   * counting mode reads when a request has no {@code Authorization} header.
   *
   * @param body the request body
   * @return the key, or null when absent or the body is not a JSON object
   */
  public static String scanWriteKey(byte[] body) {
    try (JsonParser p = WireRules.parser(MAPPER.getFactory(), body, 0, body.length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("writeKey".equals(name)) {
          return t == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Parses a single-call body ({@code /v1/track} and so on): one message object.
   *
   * @param body the (inflated) request body
   * @return the one message
   * @throws Refusal when the body breaks a rule of the wire format; the message names it
   */
  public static Parsed parseSingle(byte[] body) throws Refusal {
    Parsed out = new Parsed();
    try (JsonParser p = WireRules.parser(MAPPER.getFactory(), body, 0, body.length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Refusal("the body is not a JSON object", false);
      }
      Map<String, Object> m = MAPPER.readValue(p, MAP);
      WireRules.requireEnd(p);
      checkNumbers(m, "the message");
      out.writeKey = m.remove("writeKey");
      out.sentAt = m.get("sentAt");
      out.messages.add(m);
      out.sizes.add((long) body.length);
    } catch (IOException | RuntimeException e) {
      throw refusal(e);
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
   * Brings a message to the form Segment stores: the batch's {@code context} and
   * {@code integrations} merged in (the message's own values win, nested objects merged key by
   * key), and ids sent as numbers turned into strings by {@link WireRules#numericId}.
   * The batch's objects are shared, not copied: a message without its own context gets the
   * batch's (unmodifiable) map itself, and one with its own gets a {@link MergedMap}, which holds
   * only the message's keys.
   *
   * @param m the message, changed in place
   * @param batch the envelope it came in
   * @return null, or what is wrong (an id sent as a number whose plain form is too long)
   */
  public static String normalize(Map<String, Object> m, Parsed batch) {
    mergeInto(m, "context", batch.context);
    mergeInto(m, "integrations", batch.integrations);
    for (String field : ID_FIELDS) {
      Object v = m.get(field);
      if (v instanceof Number) {
        try {
          m.put(field, WireRules.numericId(field, (Number) v));
        } catch (IllegalArgumentException e) {
          return e.getMessage();
        }
      }
    }
    return null;
  }

  private static void mergeInto(Map<String, Object> m, String field, Map<String, Object> batchValue) {
    if (batchValue == null || batchValue.isEmpty()) {
      return;
    }
    Object own = m.get(field);
    if (own == null) {
      m.put(field, batchValue);
    } else if (own instanceof Map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> o = (Map<String, Object>) own;
      m.put(field, new MergedMap(batchValue, o));
    }
    // a non-object value is left for validate() to refuse
  }

  /**
   * The serialized size of a message after {@link #normalize}, for the 32 KB check: merging adds
   * at most the batch context's and integrations' bytes (plus their field names), so when that
   * sum is within {@code limit} the size as sent is returned; otherwise the message is serialized,
   * stopping as soon as {@code limit} is passed.
   *
   * @param m the normalized message
   * @param sentBytes its bytes as sent
   * @param batch the envelope it came in
   * @param limit the largest size accepted
   * @return a size not above {@code limit} when the message is within it, else {@code limit + 1}
   */
  public static long sizeAfterMerge(Map<String, Object> m, long sentBytes, Parsed batch, int limit) {
    if (sentBytes + batch.envelopeBytes + 40 <= limit) {
      return sentBytes;
    }
    CountingStream out = new CountingStream(limit);
    try {
      MAPPER.writeValue(out, m);
      return out.count;
    } catch (IOException | RuntimeException e) {
      return limit + 1L;
    }
  }

  /** Counts bytes and gives up (with an exception) past its limit, so that no more is written. */
  private static final class CountingStream extends OutputStream {
    private final long limit;
    long count;

    CountingStream(long limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(null, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      count += len;
      if (count > limit) {
        throw new IOException("over the limit");
      }
    }
  }

  /**
   * Checks one (normalized) message.
   *
   * @param m the message
   * @param index its place in the batch, for the error text
   * @param pathType the type implied by a single-call endpoint, or null for {@code /v1/batch}
   * @param strict whether what Segment accepts but an SDK should not send is refused
   * @param warnings where such things are reported (kind, then text) when not strict
   * @return null when valid, else what is wrong
   */
  public static String validate(Map<String, Object> m, int index, String pathType, boolean strict, Warnings warnings) {
    String where = pathType == null ? "batch[" + index + "]" : "the message";
    Object type = m.get("type");
    if (pathType != null) {
      if (type == null) {
        m.put("type", pathType);
        type = pathType;
      } else if (!pathType.equals(type)) {
        return where + " has type " + shown(type) + " but was sent to /v1/" + pathType;
      }
    }
    if (!(type instanceof String) || !TYPES.contains(type)) {
      return where + ": \"type\" must be one of " + TYPES + " but was " + shown(type);
    }
    boolean hasUser = isNonBlankString(m.get("userId"));
    boolean hasAnon = isNonBlankString(m.get("anonymousId"));
    if (!hasUser && !hasAnon) {
      return where + " (" + type + "): needs a non-blank userId or anonymousId";
    }
    if (m.get("userId") != null && !hasUser) {
      return where + " (" + type + "): \"userId\" must be a non-blank string or a number";
    }
    if (m.get("anonymousId") != null && !hasAnon) {
      return where + " (" + type + "): \"anonymousId\" must be a non-blank string or a number";
    }
    Object messageId = m.get("messageId");
    if (messageId != null && (!(messageId instanceof String) || ((String) messageId).isBlank()
        || ((String) messageId).length() > MAX_MESSAGE_ID_CHARS)) {
      return where + " (" + type + "): \"messageId\" must be a non-blank string of at most "
          + MAX_MESSAGE_ID_CHARS + " characters";
    }
    for (String field : TIME_FIELDS) {
      Object v = m.get(field);
      String bad = checkTimestamp(v);
      if (bad != null) {
        return where + " (" + type + "): \"" + field + "\" " + bad;
      }
      if (v != null && !zoned((String) v)) {
        String text = where + " (" + type + "): \"" + field + "\" has no zone: " + shown(v);
        if (strict) {
          return text + " (strict mode; Segment reads it as UTC)";
        }
        warnings.add(NO_ZONE, text + "; read as UTC");
      }
    }
    for (String field : new String[] {"properties", "traits", "context", "integrations"}) {
      Object v = m.get(field);
      if (v != null && !(v instanceof Map)) {
        return where + " (" + type + "): \"" + field + "\" must be an object";
      }
    }
    if (!hasLibrary(m.get("context"))) {
      String text = where + " (" + type + ") has no \"context.library\" {\"name\", \"version\"}";
      if (strict) {
        return text + " (strict mode; Segment accepts it, but an SDK should send it)";
      }
      warnings.add(NO_LIBRARY, text);
    }
    switch ((String) type) {
      case "track":
        if (!isNonBlankString(m.get("event"))) {
          return where + " (track): \"event\" must be a non-blank string";
        }
        break;
      case "group":
        if (!isNonBlankString(m.get("groupId"))) {
          return where + " (group): \"groupId\" must be a non-blank string or a number";
        }
        break;
      case "alias":
        if (!hasUser) {
          return where + " (alias): \"userId\" is required";
        }
        if (!isNonBlankString(m.get("previousId"))) {
          return where + " (alias): \"previousId\" must be a non-blank string or a number";
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

  /**
   * Segment's size limits for one request.
   *
   * @param maxMessageBytes the largest serialized message, once the batch envelope is merged in
   * @param maxBatchBytes the largest (uncompressed) body
   * @param maxBatchMessages the most messages in one batch
   */
  public record Limits(int maxMessageBytes, int maxBatchBytes, int maxBatchMessages) {
    /** Segment's own: 32 KB a message, 500 KB a request, 2,500 messages. */
    public static final Limits SEGMENT =
        new Limits(SegmentApi.MAX_MESSAGE_BYTES, SegmentApi.MAX_BATCH_BYTES, SegmentApi.MAX_BATCH_MESSAGES);
  }

  /**
   * Checks a parsed body as Segment's API does, in its order, and brings every message to the form
   * Segment stores ({@link #normalize}): the number of messages, each message's size as sent, the
   * envelope's {@code sentAt}, then each message ({@link #validate}) and its size once the envelope
   * is merged in. The one check every receiver shares.
   *
   * @param parsed the body, its messages changed in place
   * @param singleType the type a single-call endpoint implies, or null for a batch endpoint
   * @param limits the size limits
   * @param strict whether what Segment accepts but an SDK should not send is refused
   * @param warnings where such things are reported when not strict
   * @throws Refusal naming the first rule broken ({@link Refusal#tooLarge} for a size limit)
   */
  public static void check(Parsed parsed, String singleType, Limits limits, boolean strict, Warnings warnings)
      throws Refusal {
    boolean batch = singleType == null;
    if (parsed.messages.size() > limits.maxBatchMessages()) {
      throw new Refusal("batch has " + parsed.messages.size() + " messages; the limit is "
          + limits.maxBatchMessages(), true);
    }
    for (int i = 0; i < parsed.sizes.size(); i++) {
      if (parsed.sizes.get(i) > limits.maxMessageBytes()) {
        throw new Refusal((batch ? "batch[" + i + "]" : "the message") + " is " + parsed.sizes.get(i)
            + " bytes; the limit is " + limits.maxMessageBytes(), true);
      }
    }
    String badSentAt = checkTimestamp(parsed.sentAt);
    if (badSentAt != null) {
      throw new Refusal("\"sentAt\" " + badSentAt, false);
    }
    for (int i = 0; i < parsed.messages.size(); i++) {
      Map<String, Object> m = parsed.messages.get(i);
      String problem = normalize(m, parsed);
      if (problem == null) {
        problem = validate(m, i, singleType, strict, warnings);
      }
      if (problem != null) {
        throw new Refusal(problem, false);
      }
      if (sizeAfterMerge(m, parsed.sizes.get(i), parsed, limits.maxMessageBytes()) > limits.maxMessageBytes()) {
        throw new Refusal((batch ? "batch[" + i + "]" : "the message") + " is over " + limits.maxMessageBytes()
            + " bytes once the batch context and integrations are merged in", true);
      }
    }
  }

  /** Collects what a request had that Segment accepts but an SDK should not send. */
  public interface Warnings {
    /**
     * Reports one.
     *
     * @param kind a short constant, e.g. {@link SegmentRequests#NO_LIBRARY}
     * @param text the detail, naming the message
     */
    void add(String kind, String text);
  }

  /**
   * Checks an envelope or message time: absent is fine; present must be an ISO-8601 date-time
   * as {@link #ISO_8601} reads it. The spelling libraries send is recognized by hand first
   * ({@link RawMessage#isLibraryTimestamp}, which accepts only texts that rule accepts); any other
   * goes to the formatter.
   *
   * @param v the value sent, of any JSON type
   * @return null when fine, else what is wrong
   */
  public static String checkTimestamp(Object v) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      return "must be an ISO-8601 string but was " + shown(v);
    }
    if (RawMessage.isLibraryTimestamp((String) v)) {
      // The spelling every library sends, recognized by hand: a subset of what ISO_8601 reads, so
      // the answer is the same, without the formatter (15% of the gateway's CPU under load).
      return null;
    }
    try {
      ISO_8601.parseBest((String) v, OffsetDateTime::from, LocalDateTime::from);
      return null;
    } catch (DateTimeParseException e) {
      return "is not an ISO-8601 date-time: " + shown(v);
    }
  }

  /** Whether a time {@link #checkTimestamp} accepted has a zone: a zone is always at the end. */
  private static boolean zoned(String v) {
    char last = v.charAt(v.length() - 1);
    if (last == 'Z' || last == 'z') {
      return true;
    }
    int t = v.indexOf('T') >= 0 ? v.indexOf('T') : v.indexOf('t');
    return v.indexOf('+', t) >= 0 || v.indexOf('-', t) >= 0;
  }

  /**
   * A value for an error or warning text: short and safe to print or log (input may be 500 KB,
   * or hold control characters).
   */
  private static String shown(Object v) {
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "an array";
    }
    return WireRules.printable(String.valueOf(v), 100);
  }

  private static boolean hasLibrary(Object context) {
    if (!(context instanceof Map)) {
      return false;
    }
    Object lib = ((Map<?, ?>) context).get("library");
    return lib instanceof Map && isNonBlankString(((Map<?, ?>) lib).get("name"));
  }

  private static boolean isNonBlankString(Object v) {
    return v instanceof String && !((String) v).isBlank();
  }
}
