package dev.beacon.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.beacon.internal.RawMessage;
import dev.beacon.internal.WireRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A request body checked on Jackson's token stream, without building maps: the collector's fast
 * path in front of {@link SegmentRequests#parseBatch} + {@link SegmentRequests#check}, which stay
 * the definition. It settles only bodies that path certainly accepts, and then knows what a
 * receiver needs without maps: each message's bytes, {@code type}, {@code messageId} and
 * {@code event}, the write key sent in the body, and the warnings the check would report, in its
 * order and wording. Its maps are built only when asked for ({@link #message(int)}). Not API.
 *
 * <p>{@link #readBatch} and {@link #readSingle} answer null — "use {@code SegmentRequests}" — for
 * everything else: every refusal (the strict path then gives it, with its wording), and every
 * shape whose answer this reader does not work out itself: a batch-level {@code context} or
 * {@code integrations} (merged into each message), ids sent as numbers (converted to strings), a
 * timestamp in another ISO-8601 spelling than libraries send (possibly without a zone), numbers with an
 * exponent or of more than 1,000 digits, nesting deeper than {@value #MAX_DEPTH} levels below a message, objects of
 * more than {@value #MAX_NAMES} names, a message within 40 bytes of the size limit, a
 * {@code writeKey} that is not a string, a single call without {@code type}. Its thresholds only
 * route a body to the strict path; they never refuse one. {@code StreamedBodyDifferentialTest}
 * holds it to that.
 */
public final class StreamedBody {
  /** Deepest container judged here, counted from the message object (1); deeper goes to the strict path. */
  static final int MAX_DEPTH = 64;
  /** Most names of one object checked for repeats here; an object with more goes to the strict path. */
  static final int MAX_NAMES = 48;
  /** What {@link SegmentRequests#sizeAfterMerge} adds to a message's size before it measures it exactly. */
  private static final int MERGE_MARGIN = 40;
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final String[] TYPES = {"track", "identify", "page", "screen", "group", "alias"};

  /** Not an answer: the strict path decides. No stack trace, one shared instance. */
  private static final Exception UNDECIDED = new Exception("left to SegmentRequests", null, false, false) {
    private static final long serialVersionUID = 1L;
  };

  private final byte[] body;
  private final boolean batch;
  private int count;
  private int[] starts = new int[8];
  private int[] ends = new int[8];
  private String[] types = new String[8];
  private String[] messageIds = new String[8];
  private String[] events = new String[8];
  private String writeKey;
  private final List<String> noLibrary = new ArrayList<>(0);
  private String[] names = new String[32];
  private int top;

  private StreamedBody(byte[] body, boolean batch) {
    this.body = body;
    this.batch = batch;
  }

  /**
   * Checks a {@code /v1/batch} body.
   *
   * @param body the (inflated) request body
   * @param limits the size limits
   * @param strict whether what Segment accepts but an SDK should not send is refused
   * @return the settled body, which {@link SegmentRequests#check} accepts with {@link #warnings}; or
   *     null: parse and check it with {@link SegmentRequests} (which also gives any refusal)
   */
  public static StreamedBody readBatch(byte[] body, SegmentRequests.Limits limits, boolean strict) {
    return read(body, true, null, limits, strict);
  }

  /**
   * Checks a single-call body ({@code /v1/track} and so on).
   *
   * @param body the (inflated) request body
   * @param type the type the endpoint implies
   * @param limits the size limits
   * @param strict whether what Segment accepts but an SDK should not send is refused
   * @return the settled body, or null: use {@link SegmentRequests#parseSingle} and {@link SegmentRequests#check}
   */
  public static StreamedBody readSingle(byte[] body, String type, SegmentRequests.Limits limits, boolean strict) {
    return read(body, false, type, limits, strict);
  }

  private static StreamedBody read(byte[] body, boolean batch, String pathType, SegmentRequests.Limits limits,
      boolean strict) {
    StreamedBody b = new StreamedBody(body, batch);
    try (JsonParser p = WireRules.parser(FACTORY, body, 0, body.length)) {
      // Repeated names are refused by the reader's own check (below), not Jackson's hash set per object.
      p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      if (batch) {
        b.envelope(p, limits, strict);
      } else {
        b.message(p, pathType, limits, strict);
      }
      if (p.nextToken() != null) {
        return null;
      }
      return b;
    } catch (Exception e) {
      // UNDECIDED, invalid JSON or text (the strict path refuses it with its wording), anything unforeseen.
      return null;
    } catch (StackOverflowError e) {
      return null;
    }
  }

  private void envelope(JsonParser p, SegmentRequests.Limits limits, boolean strict) throws Exception {
    boolean sawBatch = false;
    String firstMessageKey = null;
    boolean bodyKey = false;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      name(0, name);
      JsonToken v = p.nextToken();
      switch (name) {
        case "batch":
          sawBatch = true;
          if (v != JsonToken.START_ARRAY) {
            throw UNDECIDED;
          }
          JsonToken e;
          while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.START_OBJECT || count == limits.maxBatchMessages()) {
              throw UNDECIDED;
            }
            String key = message(p, null, limits, strict);
            if (firstMessageKey == null) {
              firstMessageKey = key;
            }
          }
          break;
        case "context":
        case "integrations":
          // Merged into every message: the strict path's (MergedMap, hasLibrary through it).
          throw UNDECIDED;
        case "sentAt":
          timestamp(p, v);
          break;
        case "writeKey":
          if (v == JsonToken.VALUE_STRING) {
            writeKey = p.getText();
            bodyKey = true;
          } else if (v != JsonToken.VALUE_NULL) {
            throw UNDECIDED;
          }
          break;
        default:
          value(p, v, 1);
      }
    }
    if (t != JsonToken.END_OBJECT || !sawBatch) {
      throw UNDECIDED;
    }
    if (!bodyKey) {
      writeKey = firstMessageKey;
    }
  }

  /**
   * One message, the parser on its opening brace; returns its {@code writeKey} (or null). Every
   * rule of {@link SegmentRequests#validate}, in a form that either certainly passes or is left
   * to the strict path.
   */
  private String message(JsonParser p, String pathType, SegmentRequests.Limits limits, boolean strict)
      throws Exception {
    int start = (int) p.currentTokenLocation().getByteOffset();
    int names0 = top;
    String type = null;
    String messageId = null;
    String event = null;
    String key = null;
    byte userId = ABSENT;
    byte anonymousId = ABSENT;
    byte groupId = ABSENT;
    byte previousId = ABSENT;
    boolean nameIsString = true;
    boolean library = false;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      name(names0, name);
      JsonToken v = p.nextToken();
      switch (name) {
        case "type":
          if (v != JsonToken.VALUE_STRING || (type = typeName(p)) == null) {
            throw UNDECIDED;
          }
          break;
        case "userId":
          userId = id(p, v);
          break;
        case "anonymousId":
          anonymousId = id(p, v);
          break;
        case "groupId":
          groupId = id(p, v);
          break;
        case "previousId":
          previousId = id(p, v);
          break;
        case "messageId":
          if (v == JsonToken.VALUE_STRING) {
            if (blank(p) || p.getTextLength() > WireRules.MAX_MESSAGE_ID_CHARS) {
              throw UNDECIDED;
            }
            messageId = p.getText();
          } else if (v != JsonToken.VALUE_NULL) {
            throw UNDECIDED;
          }
          break;
        case "event":
          if (v == JsonToken.VALUE_STRING) {
            event = p.getText();
          } else if (v != JsonToken.VALUE_NULL) {
            throw UNDECIDED; // rare; a receiver reads event() as text
          }
          break;
        case "name":
          nameIsString = v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NULL;
          value(p, v, 1);
          break;
        case "timestamp":
        case "originalTimestamp":
        case "sentAt":
          timestamp(p, v);
          break;
        case "context":
          if (v == JsonToken.START_OBJECT) {
            library = context(p);
          } else if (v != JsonToken.VALUE_NULL) {
            throw UNDECIDED;
          }
          break;
        case "properties":
        case "traits":
        case "integrations":
          if (v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
            throw UNDECIDED;
          }
          value(p, v, 1);
          break;
        case "writeKey":
          if (v == JsonToken.VALUE_STRING) {
            key = p.getText();
          } else if (v != JsonToken.VALUE_NULL) {
            throw UNDECIDED;
          }
          break;
        default:
          value(p, v, 1);
      }
    }
    top = names0;
    if (t != JsonToken.END_OBJECT) {
      throw UNDECIDED;
    }
    int end = (int) p.currentLocation().getByteOffset();
    // A single call's size is its whole body, as SegmentRequests.parseSingle measures it.
    if ((batch ? end - start : body.length) + MERGE_MARGIN > limits.maxMessageBytes()) {
      throw UNDECIDED;
    }
    if (pathType != null && !pathType.equals(type)) {
      throw UNDECIDED;
    }
    if (type == null || (userId != TEXT && anonymousId != TEXT) || userId == BLANK || anonymousId == BLANK) {
      throw UNDECIDED;
    }
    switch (type) {
      case "track":
        if (event == null || event.isBlank()) {
          throw UNDECIDED;
        }
        break;
      case "group":
        if (groupId != TEXT) {
          throw UNDECIDED;
        }
        break;
      case "alias":
        if (userId != TEXT || previousId != TEXT) {
          throw UNDECIDED;
        }
        break;
      case "page":
      case "screen":
        if (!nameIsString) {
          throw UNDECIDED;
        }
        break;
      default:
        break;
    }
    if (!library) {
      if (strict) {
        throw UNDECIDED;
      }
      String where = batch ? "batch[" + count + "]" : "the message";
      noLibrary.add(where + " (" + type + ") has no \"context.library\" {\"name\", \"version\"}");
    }
    add(start, end, type, messageId, event);
    if (!batch) {
      writeKey = key;
    }
    return key;
  }

  private void add(int start, int end, String type, String messageId, String event) {
    if (count == starts.length) {
      int n = count * 2;
      starts = Arrays.copyOf(starts, n);
      ends = Arrays.copyOf(ends, n);
      types = Arrays.copyOf(types, n);
      messageIds = Arrays.copyOf(messageIds, n);
      events = Arrays.copyOf(events, n);
    }
    starts[count] = start;
    ends[count] = end;
    types[count] = type;
    messageIds[count] = messageId;
    events[count] = event;
    count++;
  }

  private static final byte ABSENT = 0;
  private static final byte BLANK = 1;
  private static final byte TEXT = 2;

  /** An id field: a string (blank or not) or null; a number (converted by the strict path) or any other value is left to it. */
  private static byte id(JsonParser p, JsonToken v) throws Exception {
    if (v == JsonToken.VALUE_NULL) {
      return ABSENT;
    }
    if (v != JsonToken.VALUE_STRING) {
      throw UNDECIDED;
    }
    return blank(p) ? BLANK : TEXT;
  }

  /** {@link String#isBlank()} on the parser's characters: no whitespace lies outside the BMP. */
  private static boolean blank(JsonParser p) throws IOException {
    char[] c = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    for (int i = off; i < off + len; i++) {
      if (!Character.isWhitespace(c[i])) {
        return false;
      }
    }
    return true;
  }

  /** A time: null, or the spelling libraries send (always with a zone); any other is the strict path's. */
  private static void timestamp(JsonParser p, JsonToken v) throws Exception {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    if (v != JsonToken.VALUE_STRING
        || !RawMessage.isLibraryTimestamp(p.getTextCharacters(), p.getTextOffset(), p.getTextLength())) {
      throw UNDECIDED;
    }
  }

  /** The type's name when it is one of the six (an interned constant), else null. */
  private static String typeName(JsonParser p) throws IOException {
    char[] c = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    for (String t : TYPES) {
      if (t.length() == len && same(t, c, off)) {
        return t;
      }
    }
    return null;
  }

  private static boolean same(String t, char[] c, int off) {
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) != c[off + i]) {
        return false;
      }
    }
    return true;
  }

  /** The message's context object: whether it has a {@code library} object with a non-blank string {@code name}. */
  private boolean context(JsonParser p) throws Exception {
    int start = top;
    boolean library = false;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      name(start, name);
      JsonToken v = p.nextToken();
      if ("library".equals(name) && v == JsonToken.START_OBJECT) {
        library = library(p);
      } else {
        value(p, v, 2);
      }
    }
    top = start;
    return library;
  }

  private boolean library(JsonParser p) throws Exception {
    int start = top;
    boolean named = false;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      name(start, name);
      JsonToken v = p.nextToken();
      if ("name".equals(name) && v == JsonToken.VALUE_STRING) {
        named = !blank(p);
      } else {
        value(p, v, 3);
      }
    }
    top = start;
    return named;
  }

  /**
   * Checks one value whose first token is {@code v}, at container depth {@code depth} (the root
   * object is 1): numbers certainly within {@link WireRules}' range, no repeated name, nesting
   * within {@value #MAX_DEPTH}. Strings are skipped by the parser, which still validates them.
   */
  private void value(JsonParser p, JsonToken v, int depth) throws Exception {
    switch (v) {
      case START_OBJECT:
      case START_ARRAY: {
        if (depth + 1 > MAX_DEPTH) {
          throw UNDECIDED;
        }
        int start = top;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
          if (t == JsonToken.FIELD_NAME) {
            name(start, p.currentName());
            t = p.nextToken();
          }
          if (t == null) {
            throw UNDECIDED;
          }
          value(p, t, depth + 1);
        }
        top = start;
        return;
      }
      case VALUE_NUMBER_INT:
        // At most 1,000 digits: below 2^3322, inside WireRules' 3,325 bits (Jackson refuses longer).
        if (p.getTextLength() > 1000) {
          throw UNDECIDED;
        }
        return;
      case VALUE_NUMBER_FLOAT:
        if (!WireRules.plainDecimal(p)) {
          throw UNDECIDED;
        }
        return;
      case VALUE_STRING:
      case VALUE_TRUE:
      case VALUE_FALSE:
      case VALUE_NULL:
        return;
      default:
        throw UNDECIDED;
    }
  }

  /** Records a name of the object whose names start at {@code start}; a repeat (refused) or too many names: undecided. */
  private void name(int start, String name) throws Exception {
    if (top - start >= MAX_NAMES) {
      throw UNDECIDED;
    }
    for (int i = start; i < top; i++) {
      String n = names[i];
      if (n == name || n.equals(name)) {
        throw UNDECIDED;
      }
    }
    if (top == names.length) {
      names = Arrays.copyOf(names, top * 2);
    }
    names[top++] = name;
  }

  /**
   * Returns the number of messages.
   *
   * @return the messages in the body
   */
  public int size() {
    return count;
  }

  /**
   * Returns a message's {@code type}.
   *
   * @param i its place in the body
   * @return one of {@link SegmentRequests#TYPES}
   */
  public String type(int i) {
    return types[checked(i)];
  }

  /**
   * Returns a message's {@code messageId}.
   *
   * @param i its place in the body
   * @return the id, or null when it has none
   */
  public String messageId(int i) {
    return messageIds[checked(i)];
  }

  /**
   * Returns a message's {@code event}.
   *
   * @param i its place in the body
   * @return the event, or null when it has none
   */
  public String event(int i) {
    return events[checked(i)];
  }

  /**
   * Returns a copy of a message's JSON as sent (its {@code writeKey} included, when it had one).
   *
   * @param i its place in the body
   * @return the message's bytes
   */
  public byte[] json(int i) {
    checked(i);
    return Arrays.copyOfRange(body, starts[i], ends[i]);
  }

  /**
   * Returns the write key sent in the body: the envelope's, else the first message's that has one.
   *
   * @return the key, or null when the body has none
   */
  public String writeKey() {
    return writeKey;
  }

  /**
   * Reports what {@link SegmentRequests#check} reports for this body, in its order and wording:
   * each message without {@code context.library} ({@link SegmentRequests#NO_LIBRARY}; never in
   * strict mode, where such a body is the strict path's to refuse).
   *
   * @param warnings where to report them
   */
  public void warnings(SegmentRequests.Warnings warnings) {
    for (String text : noLibrary) {
      warnings.add(SegmentRequests.NO_LIBRARY, text);
    }
  }

  /**
   * Builds the map {@link SegmentRequests#parseBatch} and {@link SegmentRequests#check} make of one
   * message of a settled body: its object without {@code writeKey} (nothing to merge or convert in
   * a settled body).
   *
   * @param json a message's bytes as {@link #json(int)} returns them
   * @return the message as mutable maps, lists and scalars
   */
  public static Map<String, Object> message(byte[] json) {
    try {
      return SegmentRequests.parseSingle(json).messages.get(0);
    } catch (SegmentRequests.Refusal e) {
      // A settled message is valid JSON the strict reader accepts: this cannot happen.
      throw new IllegalStateException("a settled message was refused: " + e.getMessage(), e);
    }
  }

  /**
   * Builds one message's map; see {@link #message(byte[])}.
   *
   * @param i its place in the body
   * @return the message as mutable maps, lists and scalars
   */
  public Map<String, Object> message(int i) {
    return message(json(i));
  }

  private int checked(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("message " + i + " of " + count);
    }
    return i;
  }
}
