package dev.beacon.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.beacon.Alias;
import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.Page;
import dev.beacon.Screen;
import dev.beacon.Track;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Writes messages as Segment JSON with Jackson's streaming generator. Walks Beacon's snapshot
 * structures directly (no databind). Not API.
 */
public final class MessageSerializer {
  /**
   * Shared, thread-safe factory. Every message and batch generator comes from it (through
   * {@link #generator(OutputStream)}), so its features are the wire format.
   *
   * <p>{@code COMBINE_UNICODE_SURROGATES_IN_UTF8}: by default Jackson 2.x writes a character
   * outside the BMP (an emoji, say) as two <code>&#92;uXXXX</code> escapes, 12 bytes, where UTF-8 needs 4.
   * Pinned on so that such characters go out as real 4-byte UTF-8, as Segment's own libraries send
   * them, and so that {@link MessageSizes}' bound (4 bytes per pair) holds; without it the bound
   * undercounted them 3 times (issue 9, defect 4). Lone surrogates are still escaped (6 bytes each),
   * which {@link MessageSizes#stringBound(String)} counts too.
   */
  public static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
      // Jackson's default buffer pool is per thread (a ThreadLocal): a container's pool thread that
      // called Beacon would keep the web application's class loader after undeploy (issue 20, item
      // 15). This factory's own pool goes with the class. Generators here are long-lived and reused,
      // so the pool is touched only when one is made.
      .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.newConcurrentDequePool())
      .build();

  // Field names, encoded once: the generator copies their quoted UTF-8 bytes instead of checking
  // every character for escaping on every message (issue 23 §1, "pre-encode constant parts").
  private static final SerializableString TYPE = new SerializedString("type");
  private static final SerializableString MESSAGE_ID = new SerializedString("messageId");
  private static final SerializableString TIMESTAMP = new SerializedString("timestamp");
  private static final SerializableString USER_ID = new SerializedString("userId");
  private static final SerializableString ANONYMOUS_ID = new SerializedString("anonymousId");
  private static final SerializableString EVENT = new SerializedString("event");
  private static final SerializableString PROPERTIES = new SerializedString("properties");
  private static final SerializableString TRAITS = new SerializedString("traits");
  private static final SerializableString NAME = new SerializedString("name");
  private static final SerializableString CATEGORY = new SerializedString("category");
  private static final SerializableString GROUP_ID = new SerializedString("groupId");
  private static final SerializableString PREVIOUS_ID = new SerializedString("previousId");
  private static final SerializableString CONTEXT = new SerializedString("context");
  private static final SerializableString LIBRARY = new SerializedString("library");
  private static final SerializableString INTEGRATIONS = new SerializedString("integrations");

  /** {@code context.library}, encoded once. */
  private static final String LIBRARY_JSON = libraryJson();

  private MessageSerializer() {}

  /** {@code context.library}'s JSON, as {@link #write} writes it (for {@link WireReader}'s completion). */
  static String library() {
    return LIBRARY_JSON;
  }

  private static String libraryJson() {
    java.io.StringWriter w = new java.io.StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("name", Library.NAME);
      g.writeStringField("version", Library.VERSION);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /**
   * Creates a UTF-8 generator on a stream, with no separator between root values.
   *
   * @param out where the bytes go
   * @return a generator the caller closes
   */
  public static JsonGenerator generator(OutputStream out) {
    try {
      JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
      g.setRootValueSeparator(null);
      return g;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the exact serialized size of a message in bytes.
   *
   * @param m the message
   * @return its UTF-8 JSON size
   */
  public static int serializedSize(Message m) {
    ByteSink sink = new ByteSink(Message.MAX_MESSAGE_BYTES + 1024);
    try (JsonGenerator g = generator(sink)) {
      write(g, m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink.size();
  }

  /**
   * Serializes one message to a new byte array (tests and tools).
   *
   * @param m the message
   * @return its UTF-8 JSON
   */
  public static byte[] toBytes(Message m) {
    ByteSink sink = new ByteSink(512);
    try (JsonGenerator g = generator(sink)) {
      write(g, m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink.toByteArray();
  }

  /**
   * Writes one message object.
   *
   * @param g the generator
   * @param m the message
   * @throws IOException from the generator
   */
  public static void write(JsonGenerator g, Message m) throws IOException {
    g.writeStartObject();
    stringField(g, TYPE, m.type().wireName());
    stringField(g, MESSAGE_ID, m.messageId());
    stringField(g, TIMESTAMP, Timestamps.format(m.timestamp()));
    if (m.userId() != null) {
      stringField(g, USER_ID, m.userId());
    }
    if (m.anonymousId() != null) {
      stringField(g, ANONYMOUS_ID, m.anonymousId());
    }
    if (m instanceof Track) {
      Track t = (Track) m;
      stringField(g, EVENT, t.event());
      writeMapField(g, PROPERTIES, t.properties());
    } else if (m instanceof Identify) {
      writeMapField(g, TRAITS, ((Identify) m).traits());
    } else if (m instanceof Page) {
      Page p = (Page) m;
      optionalString(g, NAME, p.name());
      optionalString(g, CATEGORY, p.category());
      writeMapField(g, PROPERTIES, p.properties());
    } else if (m instanceof Screen) {
      Screen s = (Screen) m;
      optionalString(g, NAME, s.name());
      optionalString(g, CATEGORY, s.category());
      writeMapField(g, PROPERTIES, s.properties());
    } else if (m instanceof Group) {
      Group gr = (Group) m;
      stringField(g, GROUP_ID, gr.groupId());
      writeMapField(g, TRAITS, gr.traits());
    } else if (m instanceof Alias) {
      stringField(g, PREVIOUS_ID, ((Alias) m).previousId());
    }
    g.writeFieldName(CONTEXT);
    g.writeStartObject();
    for (Map.Entry<String, Object> e : m.context().entrySet()) {
      if (!"library".equals(e.getKey())) {
        g.writeFieldName(e.getKey());
        writeValue(g, e.getValue());
      }
    }
    g.writeFieldName(LIBRARY);
    g.writeRawValue(LIBRARY_JSON);
    g.writeEndObject();
    if (!m.integrations().isEmpty()) {
      writeMapField(g, INTEGRATIONS, m.integrations());
    }
    g.writeEndObject();
  }

  private static void stringField(JsonGenerator g, SerializableString name, String value) throws IOException {
    g.writeFieldName(name);
    g.writeString(value);
  }

  private static void optionalString(JsonGenerator g, SerializableString name, String value) throws IOException {
    if (value != null) {
      stringField(g, name, value);
    }
  }

  private static void writeMapField(JsonGenerator g, SerializableString name, Map<String, Object> map)
      throws IOException {
    g.writeFieldName(name);
    writeMap(g, map);
  }

  private static void writeMap(JsonGenerator g, Map<?, ?> map) throws IOException {
    g.writeStartObject();
    if (map instanceof FrozenMap) {
      FrozenMap f = (FrozenMap) map;
      for (int i = 0, n = f.size(); i < n; i++) {
        g.writeFieldName(f.keyAt(i));
        writeValue(g, f.valueAt(i));
      }
      g.writeEndObject();
      return;
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      g.writeFieldName((String) e.getKey());
      writeValue(g, e.getValue());
    }
    g.writeEndObject();
  }

  /**
   * Writes one snapshot value (see {@link Values}).
   *
   * @param g the generator
   * @param v a snapshot value
   * @throws IOException from the generator
   */
  public static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String) {
      g.writeString((String) v);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).intValue());
    } else if (v instanceof Long) {
      g.writeNumber((Long) v);
    } else if (v instanceof Double) {
      g.writeNumber((Double) v);
    } else if (v instanceof Float) {
      g.writeNumber((Float) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof Map) {
      writeMap(g, (Map<?, ?>) v);
    } else if (v instanceof List) {
      g.writeStartArray();
      for (Object o : (List<?>) v) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else if (v instanceof BigDecimal) {
      g.writeNumber((BigDecimal) v);
    } else if (v instanceof BigInteger) {
      g.writeNumber((BigInteger) v);
    } else {
      // Snapshots hold only the types above; anything else is a bug in Values.
      throw new IllegalStateException("not a snapshot value: " + v.getClass().getName());
    }
  }
}
