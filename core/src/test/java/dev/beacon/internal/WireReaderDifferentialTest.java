package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The streaming reader against the codec it stands in front of: over the wire fuzz corpus (the
 * seeds and hostile tokens of {@link WireFuzzTest}, mutated), a generated corpus of Segment
 * messages in every shape the reader judges or leaves alone, and hand-picked edge cases, a message
 * the reader passes on as it arrived ({@link WireReader.Verdict#AS_IS}) is one the codec accepts and
 * finds complete — which is what the relay checked before passing a record's bytes on — and a
 * message the codec refuses is never passed on. A message the reader completes is one the codec
 * completes, kept as it came with exactly the codec's values inserted, and it decodes to the
 * codec's {@code Message} ({@link #assertSameCompletion}). Every other message goes to the codec,
 * so its acceptance, refusal text and completed JSON are the codec's own.
 *
 * <p>The generated corpus also counts how often the reader decided by itself: a reader that left
 * everything to the codec would pass the first property and fail {@link #theReaderDecidesTheCommonShapes}.
 */
class WireReaderDifferentialTest {
  private static int generatedAsIs;
  private static int generatedCompleteAndValid;

  /** What the relay did before the reader: decode, and pass the bytes on only when complete. */
  static boolean codecPassesAsIs(byte[] json) {
    Map<String, Object> m;
    try {
      m = MessageCodec.parseObject(json, 0, json.length);
      MessageCodec.decode(json, 0, json.length);
    } catch (IllegalArgumentException e) {
      return false;
    }
    Object context = m.get("context");
    return m.get("messageId") != null && m.get("timestamp") != null && context instanceof Map
        && ((Map<?, ?>) context).get("library") instanceof Map;
  }

  static void assertSameDecision(byte[] json) {
    assertSettleAgrees(json, 0, json.length, 0);
    boolean asIs = WireReader.read(json, 0, json.length) == WireReader.Verdict.AS_IS;
    if (asIs) {
      assertThat(codecPassesAsIs(json)).as("the codec must accept and find complete: %s",
          new String(json, StandardCharsets.UTF_8)).isTrue();
    }
  }

  @Property(tries = 3000, seed = "27")
  void mutatedFuzzSeedsAreNeverPassedOnWhenTheCodecWouldNot(@ForAll("mutatedComplete") byte[] input) {
    assertSameDecision(input);
  }

  @Property(tries = 1000, seed = "2727")
  void randomInputIsNeverPassedOnWhenTheCodecWouldNot(@ForAll("random") byte[] input) {
    assertSameDecision(input);
  }

  @Property(tries = 2500, seed = "272727")
  void generatedMessagesGetTheCodecsDecision(@ForAll("generated") String message) {
    byte[] json = message.getBytes(StandardCharsets.UTF_8);
    assertSettleAgrees(json, 0, json.length, 0);
    boolean asIs = WireReader.read(json, 0, json.length) == WireReader.Verdict.AS_IS;
    boolean codec = codecPassesAsIs(json);
    if (asIs) {
      assertThat(codec).as("the codec must accept and find complete: %s", message).isTrue();
      generatedAsIs++;
    }
    if (codec) {
      generatedCompleteAndValid++;
    }
  }

  private static int generatedCompleted;
  private static int generatedToComplete;

  /**
   * What the relay did before the reader for a record to complete: put the missing messageId and
   * timestamp in the map, build the message, write it. Null when the codec refuses, or when the
   * message was complete (the relay sent its bytes).
   */
  static byte[] codecCompletion(byte[] json, int offset, int length, String id, long millis) {
    try {
      Map<String, Object> m = MessageCodec.parseObject(json, offset, length);
      Object context = m.get("context");
      boolean complete = m.get("messageId") != null && m.get("timestamp") != null && context instanceof Map
          && ((Map<?, ?>) context).get("library") instanceof Map;
      if (m.get("messageId") == null) {
        m.put("messageId", id);
      }
      if (m.get("timestamp") == null && millis >= 0) {
        m.put("timestamp", java.time.Instant.ofEpochMilli(millis).toString());
      }
      dev.beacon.Message message = MessageCodec.fromMap(m);
      return complete ? null : MessageCodec.encode(message);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** {@link WireReader#settle} is {@code read}'s AS_IS (the bytes as they are) or else {@code complete}. */
  static void assertSettleAgrees(byte[] json, int offset, int length, long millis) {
    byte[] settled = WireReader.settle(json, offset, length, () -> "stable-id", millis);
    byte[] expected = WireReader.read(json, offset, length) == WireReader.Verdict.AS_IS
        ? java.util.Arrays.copyOfRange(json, offset, offset + length)
        : WireReader.complete(json, offset, length, () -> "stable-id", millis);
    assertThat(settled).as(new String(json, offset, length, StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  /**
   * The message a completion must be, as a map: the input's own map (every field it sent, unknown
   * ones and the sender's library included) with the fields the codec gives a message that lacks
   * them — the id, the timestamp as {@link Timestamps#format} writes it, Beacon's
   * {@code context.library} where the context has no library object.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> completedMap(byte[] json, int offset, int length, String id, long millis) {
    Map<String, Object> m = MessageCodec.parseObject(json, offset, length);
    if (m.get("messageId") == null) {
      m.put("messageId", id);
    }
    if (m.get("timestamp") == null) {
      m.put("timestamp", Timestamps.format(java.time.Instant.ofEpochMilli(millis)));
    }
    Object context = m.get("context");
    Map<String, Object> c = context instanceof Map ? (Map<String, Object>) context : new java.util.LinkedHashMap<>();
    if (!(c.get("library") instanceof Map)) {
      byte[] library = MessageSerializer.library().getBytes(StandardCharsets.UTF_8);
      c.put("library", MessageCodec.parseObject(library, 0, library.length));
    }
    m.put("context", c);
    return m;
  }

  /**
   * The reader's completion against the codec's decision: it completes only messages the codec
   * completes; the result keeps every field of the input and adds exactly the codec's values
   * ({@link #completedMap}); it is a message the reader itself passes on, within Segment's size
   * limit; it decodes to the {@link dev.beacon.Message} the codec builds from the completed map;
   * and written by Beacon it is byte for byte what the codec's completion wrote.
   */
  static boolean assertSameCompletion(byte[] json, int offset, int length, long millis) {
    assertSettleAgrees(json, offset, length, millis);
    byte[] fast = WireReader.complete(json, offset, length, () -> "stable-id", millis);
    if (fast != null) {
      String text = new String(json, offset, length, StandardCharsets.UTF_8);
      String out = new String(fast, StandardCharsets.UTF_8);
      byte[] codec = codecCompletion(json, offset, length, "stable-id", millis);
      assertThat(codec).as("the codec must complete: %s", text).isNotNull();
      Map<String, Object> expected = completedMap(json, offset, length, "stable-id", millis);
      assertThat(MessageCodec.parseObject(fast, 0, fast.length)).as("%s completed as %s", text, out)
          .isEqualTo(expected);
      assertThat(fast.length).as(out).isLessThanOrEqualTo(dev.beacon.Message.MAX_MESSAGE_BYTES);
      assertThat(WireReader.read(fast, 0, fast.length)).as(out).isEqualTo(WireReader.Verdict.AS_IS);
      dev.beacon.Message ours = MessageCodec.decode(fast, 0, fast.length);
      dev.beacon.Message theirs = MessageCodec.fromMap(expected);
      assertThat(ours.getClass()).isEqualTo(theirs.getClass());
      assertThat(ours.messageId()).isEqualTo(theirs.messageId());
      assertThat(ours.timestamp()).as(out).isEqualTo(theirs.timestamp());
      assertThat(ours.context()).as(out).isEqualTo(theirs.context());
      assertThat(ours.serializedSizeBound()).as(out).isEqualTo(theirs.serializedSizeBound());
      assertThat(new String(MessageSerializer.toBytes(ours), StandardCharsets.UTF_8)).as(out)
          .isEqualTo(new String(codec, StandardCharsets.UTF_8));
    }
    return fast != null;
  }

  @Property(tries = 2500, seed = "2700")
  void generatedMessagesAreCompletedAsTheCodecCompletesThem(@ForAll("generated") String message,
      @ForAll("millis") long millis, @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int pad) {
    byte[] raw = message.getBytes(StandardCharsets.UTF_8);
    // Also inside a larger buffer, at an offset: the reader's spans are positions in the buffer.
    byte[] json = new byte[raw.length + 2 * pad];
    System.arraycopy(raw, 0, json, pad, raw.length);
    boolean completed = assertSameCompletion(json, pad, raw.length, millis);
    if (completed) {
      generatedCompleted++;
    }
    if (codecCompletion(json, pad, raw.length, "stable-id", millis) != null) {
      generatedToComplete++;
    }
  }

  @Property(tries = 2000, seed = "2701")
  void mutatedFuzzSeedsAreCompletedAsTheCodecCompletesThem(@ForAll("mutatedComplete") byte[] input,
      @ForAll("millis") long millis) {
    assertSameCompletion(input, 0, input.length, millis);
  }

  private static int generatedDecoded;
  private static int generatedCodecDecoded;

  /** What {@code beacon import} did before the reader: maps, a stable id put when missing, fromMap. */
  static WireReader.Decoded codecDecode(byte[] json, int offset, int length, String id) {
    try {
      Map<String, Object> m = MessageCodec.parseObject(json, offset, length);
      if (m.get("messageId") == null) {
        m.put("messageId", id);
      }
      boolean hadTimestamp = m.get("timestamp") != null;
      return new WireReader.Decoded(MessageCodec.fromMap(m), hadTimestamp);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The same message as the codec's: type, every field as written, the size bound, the timestamp's origin. */
  static boolean assertSameDecode(byte[] json, int offset, int length) {
    WireReader.Decoded fast = WireReader.decode(json, offset, length, () -> "stable-id");
    if (fast == null) {
      return false;
    }
    String text = new String(json, offset, length, StandardCharsets.UTF_8);
    WireReader.Decoded codec = codecDecode(json, offset, length, "stable-id");
    assertThat(codec).as("the codec must accept: %s", text).isNotNull();
    assertThat(fast.hadTimestamp()).as(text).isEqualTo(codec.hadTimestamp());
    dev.beacon.Message a = fast.message();
    dev.beacon.Message b = codec.message();
    if (!fast.hadTimestamp()) { // both stamped the build time: compare at one time
      java.time.Instant t = java.time.Instant.ofEpochMilli(1_705_314_600_123L);
      a = a.toBuilder().timestamp(t).build();
      b = b.toBuilder().timestamp(t).build();
    }
    assertThat(a.getClass()).isEqualTo(b.getClass());
    assertThat(new String(MessageSerializer.toBytes(a), StandardCharsets.UTF_8)).as(text)
        .isEqualTo(new String(MessageSerializer.toBytes(b), StandardCharsets.UTF_8));
    assertThat(a.serializedSizeBound()).as(text).isEqualTo(b.serializedSizeBound());
    assertThat(a.context()).isEqualTo(b.context());
    return true;
  }

  @Property(tries = 2500, seed = "2702")
  void generatedMessagesAreDecodedAsTheCodecDecodesThem(@ForAll("generated") String message,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int pad) {
    byte[] raw = message.getBytes(StandardCharsets.UTF_8);
    byte[] json = new byte[raw.length + 2 * pad];
    System.arraycopy(raw, 0, json, pad, raw.length);
    if (assertSameDecode(json, pad, raw.length)) {
      generatedDecoded++;
    }
    if (codecDecode(json, pad, raw.length, "stable-id") != null) {
      generatedCodecDecoded++;
    }
  }

  @Property(tries = 2000, seed = "2703")
  void mutatedFuzzSeedsAreDecodedAsTheCodecDecodesThem(@ForAll("mutatedComplete") byte[] input) {
    assertSameDecode(input, 0, input.length);
  }

  @Provide
  Arbitrary<Long> millis() {
    return Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.just(0L),
        Arbitraries.longs().between(0, 4_102_444_800_000L), Arbitraries.longs().between(-62_000_000_000_000L, 0));
  }

  @AfterContainer
  static void theReaderDecidesTheCommonShapes() {
    assertThat(generatedCodecDecoded).isPositive();
    assertThat(generatedDecoded).isGreaterThan(generatedCodecDecoded / 4);
    assertThat(generatedToComplete).isPositive();
    assertThat(generatedCompleted).isGreaterThan(generatedToComplete / 4);
    // The generator is hostile-heavy (deep nesting, exponents, ids as numbers, which the reader
    // leaves to the codec); still, a good share of its valid, complete messages is judged here.
    assertThat(generatedCompleteAndValid).isPositive();
    assertThat(generatedAsIs).isGreaterThan(generatedCompleteAndValid / 4);
  }

  @Example
  void messagesAsBeaconWritesThemArePassedOnAsTheyAre() {
    java.util.Random random = new java.util.Random(27);
    for (int i = 0; i < 500; i++) {
      Map<String, Object> props = new java.util.LinkedHashMap<>();
      props.put("revenue", random.nextInt(100_000) / 100.0);
      props.put("currency", "EUR");
      props.put("sku", "sku-" + random.nextInt(1000));
      props.put("tags", List.of("a", "b\u00e9", i));
      props.put("nested", Map.of("depth", Map.of("n", random.nextLong(), "ok", random.nextBoolean())));
      dev.beacon.Message m = switch (i % 6) {
        case 0 -> dev.beacon.Track.builder("Order Completed").userId("user-" + i).properties(props)
            .context(Map.of("ip", "10.0.0.1", "locale", "fr-FR")).build();
        case 1 -> dev.beacon.Identify.builder().anonymousId("anon-" + i).traits(props).build();
        case 2 -> dev.beacon.Page.builder().userId("u").name("Home").category("Docs").properties(props).build();
        case 3 -> dev.beacon.Screen.builder().userId("u").name("Main").integrations(Map.of("All", false)).build();
        case 4 -> dev.beacon.Group.builder("g-" + i).userId("u").traits(props).build();
        default -> dev.beacon.Alias.builder("old-" + i).userId("u").build();
      };
      byte[] json = MessageSerializer.toBytes(m);
      assertThat(WireReader.read(json, 0, json.length)).as(new String(json, StandardCharsets.UTF_8))
          .isEqualTo(WireReader.Verdict.AS_IS);
      assertThat(codecPassesAsIs(json)).isTrue();
    }
  }

  @Example
  void messagesWithoutIdOrTimestampAreCompletedAsTheCodecCompletesThem() {
    String[] incomplete = {
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}",
        "{\"event\":\"E\",\"sentAt\":\"x\",\"properties\":{\"a\":1.50,\"b\":-0,\"d\":0.0000001,"
            + "\"e\":123456789012345678901234,\"f\":[\"\\u00e9\\ud83d\\ude00\\n\",null,true]},\"type\":\"track\","
            + "\"anonymousId\":\"a\",\"context\":{\"library\":{\"name\":\"theirs\"},\"ip\":\"1.2.3.4\"},"
            + "\"integrations\":{}}",
        "{\"type\":\"page\",\"userId\":\"u\",\"name\":\"Home\",\"messageId\":\"m\",\"context\":{\"library\":{}},"
            + "\"integrations\":{\"All\":false}}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-01-15T11:30:00.123456+01:00\","
            + "\"messageId\":\"m\"}",
        "{\"type\":\"alias\",\"userId\":\"u\",\"previousId\":\"p\",\"timestamp\":\"0001-01-01T00:00:00-01:30\"}",
        "{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"g\",\"traits\":null,\"timestamp\":\"2024-02-29T23:59:59.9999999Z\"}",
    };
    for (String m : incomplete) {
      byte[] json = m.getBytes(StandardCharsets.UTF_8);
      assertThat(assertSameCompletion(json, 0, json.length, 1_705_314_600_123L)).as(m).isTrue();
    }
    String[] leftToTheCodec = {
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"s\":\"\\ud800\"}}",
        "{\"type\":\"track\",\"userId\":12,\"event\":\"E\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"m\",\"timestamp\":\"2024-01-15T10:30:00Z\","
            + "\"context\":{\"library\":{}}}",
        "{\"type\":\"track\",\"userId\":\"u\"}",
    };
    for (String m : leftToTheCodec) {
      byte[] json = m.getBytes(StandardCharsets.UTF_8);
      assertThat(WireReader.complete(json, 0, json.length, () -> "id", 0)).as(m).isNull();
    }
  }

  @Example
  void theMissingFieldsAreInsertedIntoTheMessagesOwnBytes() {
    String lib = MessageSerializer.library();
    String at = "\"timestamp\":\"2024-01-15T10:30:00.123Z\"";
    String head = "{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"m\",\"timestamp\":\"2024-01-15T10:30:00.5+01:00\"";
    String[][] cases = {
        // Nothing but the type and ids: the three fields put first; the unknown field stays.
        {"{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"sentAt\":\"x\"}",
            "{\"messageId\":\"stable-id\"," + at + ",\"context\":{\"library\":" + lib + "},"
                + "\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"sentAt\":\"x\"}"},
        // A context without a library: Beacon's first in it; white space and escapes kept.
        {" { \"type\":\"identify\", \"userId\":\"u\",\"messageId\":\"m\",\"timestamp\":\"2024-01-15T10:30:00.5+01:00\","
            + "\"context\" : { \"ip\":\"1.2.3.4\",\"x\":\"\\\"}\"} } ",
            " { \"type\":\"identify\", \"userId\":\"u\",\"messageId\":\"m\",\"timestamp\":\"2024-01-15T10:30:00.5+01:00\","
                + "\"context\" : {\"library\":" + lib + ", \"ip\":\"1.2.3.4\",\"x\":\"\\\"}\"} } "},
        {head + ",\"context\":{ }}", head + ",\"context\":{\"library\":" + lib + " }}"},
        // null where a field is expected: replaced in place (putting it first would repeat the name).
        {"{\"type\":\"identify\",\"messageId\": null ,\"userId\":\"u\",\"timestamp\":null,\"context\":null}",
            "{\"type\":\"identify\",\"messageId\": \"stable-id\" ,\"userId\":\"u\"," + at + ",\"context\":{\"library\":"
                + lib + "}}"},
        // A library that is not an object is replaced by Beacon's, whatever it was.
        {head + ",\"context\":{\"library\": null ,\"a\":1}}", head + ",\"context\":{\"library\": " + lib + " ,\"a\":1}}"},
        {head + ",\"context\":{\"a\":1,\"library\":12.5}}", head + ",\"context\":{\"a\":1,\"library\":" + lib + "}}"},
        {head + ",\"context\":{\"library\":-7,\"a\":1}}", head + ",\"context\":{\"library\":" + lib + ",\"a\":1}}"},
        {head + ",\"context\":{\"library\":\"a\\\"b}\\\\\",\"a\":1}}", head + ",\"context\":{\"library\":" + lib + ",\"a\":1}}"},
        {head + ",\"context\":{\"library\":[1,\"]\",{}],\"a\":true}}", head + ",\"context\":{\"library\":" + lib + ",\"a\":true}}"},
        {head + ",\"context\":{\"library\":true}}", head + ",\"context\":{\"library\":" + lib + "}}"},
        // Only the id missing: the sender's own library stays (as read keeps it for complete messages).
        {"{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-01-15T10:30:00Z\",\"context\":{\"library\":{\"name\":\"theirs\"}}}",
            "{\"messageId\":\"stable-id\",\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-01-15T10:30:00Z\","
                + "\"context\":{\"library\":{\"name\":\"theirs\"}}}"},
    };
    for (String[] c : cases) {
      byte[] json = c[0].getBytes(StandardCharsets.UTF_8);
      byte[] out = WireReader.complete(json, 0, json.length, () -> "stable-id", 1_705_314_600_123L);
      assertThat(out).as(c[0]).isNotNull();
      assertThat(new String(out, StandardCharsets.UTF_8)).as(c[0]).isEqualTo(c[1]);
      assertThat(assertSameCompletion(json, 0, json.length, 1_705_314_600_123L)).isTrue();
    }
    // The id the caller gives is escaped as a JSON string.
    byte[] json = "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-01-15T10:30:00Z\"}"
        .getBytes(StandardCharsets.UTF_8);
    String odd = "a\"b\\c\u0001\u00e9\uD83D\uDE00";
    byte[] out = WireReader.complete(json, 0, json.length, () -> odd, 0);
    assertThat(MessageCodec.decode(out, 0, out.length).messageId()).isEqualTo(odd);
    // An id the codec would not take, or a lone surrogate anywhere, is left to the codec.
    assertThat(WireReader.complete(json, 0, json.length, () -> " ", 0)).isNull();
    assertThat(WireReader.complete(json, 0, json.length, () -> "\ud800", 0)).isNull();
    for (String lone : new String[] {"\\ud800", "\\uDC00x", "\\ud83d\\u0041", "\\ud83d"}) {
      byte[] j = ("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"k\":\"" + lone + "\"}}")
          .getBytes(StandardCharsets.UTF_8);
      assertThat(WireReader.complete(j, 0, j.length, () -> "id", 0)).as(lone).isNull();
    }
    // Wherever it falls in the bytes (the check reads eight at a time), an escaped lone surrogate
    // is found; one encoded in UTF-8 (ED A0 80) is refused by Jackson, the codec's and the reader's.
    for (int pad = 0; pad < 17; pad++) {
      String p = "x".repeat(pad);
      byte[] escaped = ("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"k\":\"" + p + "\\udfff\"}}")
          .getBytes(StandardCharsets.UTF_8);
      assertThat(WireReader.complete(escaped, 0, escaped.length, () -> "id", 0)).as(p).isNull();
      byte[] cesu = ("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"k\":\"" + p + "\u00ff\"}}")
          .getBytes(StandardCharsets.UTF_8);
      int ff = new String(cesu, StandardCharsets.UTF_8).indexOf('\u00ff'); // its two bytes C3 BF
      cesu = java.util.Arrays.copyOf(cesu, cesu.length + 1);
      System.arraycopy(cesu, ff + 2, cesu, ff + 3, cesu.length - ff - 3);
      cesu[ff] = (byte) 0xED;
      cesu[ff + 1] = (byte) 0xA0;
      cesu[ff + 2] = (byte) 0x80;
      // Jackson refuses a surrogate encoded in UTF-8 where it decodes a string (the codec's
      // refusal); the reader, which skips strings, leaves the message to the codec.
      assertThat(codecCompletion(cesu, 0, cesu.length, "id", 0)).isNull();
      assertThat(WireReader.complete(cesu, 0, cesu.length, () -> "id", 0)).as("ED A0 80 after %s", p).isNull();
      byte[] whole = new byte[cesu.length - 2];
      System.arraycopy(cesu, 0, whole, 0, cesu.length - 2);
      whole = (new String(whole, StandardCharsets.ISO_8859_1) + "},\"messageId\":\"m\",\"timestamp\":\"2024-01-15T10:30:00Z\","
          + "\"context\":{\"library\":{}}}").getBytes(StandardCharsets.ISO_8859_1);
      assertThat(WireReader.read(whole, 0, whole.length)).as(new String(whole, StandardCharsets.ISO_8859_1))
          .isEqualTo(WireReader.Verdict.USE_CODEC);
      byte[] clean = ("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"k\":\"" + p + "\u00e9\"}}")
          .getBytes(StandardCharsets.UTF_8);
      assertThat(WireReader.complete(clean, 0, clean.length, () -> "id", 0)).as(p).isNotNull();
    }
    // An escaped backslash before "ud800" is text, and an escaped pair is one character: completed.
    byte[] pair = "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"k\":\"\\\\ud800\\ud83d\\ude00\"}}"
        .getBytes(StandardCharsets.UTF_8);
    assertThat(assertSameCompletion(pair, 0, pair.length, 0)).as("an escaped backslash and a pair").isTrue();
  }

  @Example
  void edgeCasesOfTheCodecAreLeftToIt() {
    String base = "\"messageId\":\"m\",\"timestamp\":\"2024-01-15T10:30:00Z\",\"context\":{\"library\":{}}";
    String[] refused = {
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\" \"," + base + "}",
        "{\"type\":\"track\",\"userId\":\" \",\"event\":\"e\"," + base + "}",
        "{\"type\":\"track\",\"userId\":\"u\",\"anonymousId\":\"\u2003\",\"event\":\"e\"," + base + "}",
        "{\"type\":\"Track\",\"userId\":\"u\",\"event\":\"e\"," + base + "}",
        "{\"type\":\"alias\",\"anonymousId\":\"a\",\"previousId\":\"p\"," + base + "}",
        "{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"\"," + base + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"" + "m".repeat(101)
            + "\",\"timestamp\":\"2024-01-15T10:30:00Z\",\"context\":{\"library\":{}}}",
        "{\"type\":\"identify\",\"userId\":\"u\"," + base + "} {}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"userId\":\"v\"," + base + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"x\":{\"a\":1,\"a\":2}," + base + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"a\":1,\"b\":[{\"c\":1,\"c\":2}]}," + base + "}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"a\":1,\"a\":1}}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"context\":{\"ip\":1,\"ip\":1}}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"integrations\":{\"All\":true,\"All\":false}}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"n\":1e999999}}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":" + "[".repeat(70) + "]".repeat(70) + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"n\":1e2147483647}," + base + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"x\":1.5e-2147483648," + base + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"x\":" + "9".repeat(1100) + "," + base + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":[]," + base + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":" + "{\"a\":".repeat(70) + "1" + "}".repeat(70) + ","
            + base + "}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"m\",\"timestamp\":\"2024-02-30T10:30:00Z\","
            + "\"context\":{\"library\":{}}}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"m\",\"timestamp\":\"2023-02-29T10:30:00Z\","
            + "\"context\":{\"library\":{}}}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"m\",\"timestamp\":\"2024-01-15T24:00:00Z\","
            + "\"context\":{\"library\":{}}}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"m\",\"timestamp\":\"2024-01-15T10:30:00+18:30\","
            + "\"context\":{\"library\":{}}}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"big\":\"" + "x".repeat(33_000) + "\"}," + base + "}",
    };
    for (String s : refused) {
      byte[] json = s.getBytes(StandardCharsets.UTF_8);
      assertThat(WireReader.read(json, 0, json.length)).as(s).isEqualTo(WireReader.Verdict.USE_CODEC);
      assertThat(WireReader.complete(json, 0, json.length, () -> "id", 0)).as(s).isNull();
      assertThat(WireReader.decode(json, 0, json.length, () -> "id")).as(s).isNull();
      assertSameDecision(json);
    }
    String[] utf16 = {"{\"type\":\"identify\",\"userId\":\"u\"," + base + "}"};
    for (String s : utf16) {
      byte[] json = s.getBytes(StandardCharsets.UTF_16BE);
      assertThat(WireReader.read(json, 0, json.length)).isEqualTo(WireReader.Verdict.USE_CODEC);
    }
    String[] accepted = {
        "{\"type\":\"identify\",\"userId\":\"u\"," + base + "}",
        "{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"E\",\"properties\":{\"p\":1.25,\"q\":[1,-0,\"\\u00e9\"]},"
            + base + "}",
        "{\"type\":\"alias\",\"userId\":\"u\",\"previousId\":\"p\",\"sentAt\":\"whatever\"," + base + "}",
        "{\"type\":\"page\",\"userId\":\"u\",\"name\":null,\"properties\":null,\"messageId\":\"m\","
            + "\"timestamp\":\"2024-02-29T23:59:59.123456789-03:30\",\"context\":{\"ip\":\"1\",\"library\":{\"name\":\"x\"}}}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":" + "{\"a\":".repeat(55) + "1" + "}".repeat(55) + ","
            + base + "}",
    };
    for (String s : accepted) {
      byte[] json = s.getBytes(StandardCharsets.UTF_8);
      assertThat(WireReader.read(json, 0, json.length)).as(s).isEqualTo(WireReader.Verdict.AS_IS);
      assertSameDecision(json);
    }
  }

  @Property(tries = 3000, seed = "27")
  void aTimestampTheReaderAcceptsIsOneTheCodecAccepts(@ForAll("timestamps") String ts) {
    boolean codec;
    try {
      OffsetDateTime.parse(ts);
      codec = true;
    } catch (DateTimeParseException e) {
      codec = false;
    }
    if (WireTimestamps.isIsoOffsetDateTime(ts)) {
      assertThat(codec).as(ts).isTrue();
    } else if (codec && ts.length() >= 20 && ts.charAt(19) != 'z' && ts.indexOf('t') < 0 && !ts.endsWith("z")
        && ts.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?(Z|[+-](0\\d|1[0-7]):\\d\\d)")) {
      throw new AssertionError("the reader should recognize " + ts);
    }
  }

  @Provide
  Arbitrary<String> timestamps() {
    Arbitrary<String> two = Arbitraries.integers().between(0, 99).map(i -> String.format("%02d", i));
    Arbitrary<String> year = Arbitraries.oneOf(Arbitraries.integers().between(0, 9999).map(i -> String.format("%04d", i)),
        Arbitraries.of("2024", "2023", "2000", "1900", "2100", "+2024", "12345"));
    Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(11).map(f -> "." + f));
    Arbitrary<String> offset = Arbitraries.oneOf(Arbitraries.of("Z", "z", "+00:00", "-00:00", "", "+01", "+0100",
        "+01:00:30", "+18:00", "-18:00"),
        Combinators.combine(Arbitraries.of("+", "-"), two, two).as((s, h, m) -> s + h + ":" + m));
    Arbitrary<String> month = Arbitraries.integers().between(0, 13).map(i -> String.format("%02d", i));
    Arbitrary<String> day = Arbitraries.integers().between(0, 32).map(i -> String.format("%02d", i));
    return Combinators.combine(year, month, day, Arbitraries.of("T", "t", " "), two, two, two, fraction)
        .flatAs((y, mo, d, t, h, mi, s, f) -> offset.map(o -> y + "-" + mo + "-" + d + t + h + ":" + mi + ":" + s
            + f + o));
  }

  @Provide
  Arbitrary<byte[]> random() {
    return new WireFuzzTest().random();
  }

  /** {@link WireFuzzTest}'s mutations, started from complete seeds so that the reader has something to pass on. */
  @Provide
  Arbitrary<byte[]> mutatedComplete() {
    List<String> seeds = new ArrayList<>();
    String complete = ",\"messageId\":\"m-9\",\"timestamp\":\"2024-01-15T10:30:00.5Z\","
        + "\"context\":{\"library\":{\"name\":\"x\",\"version\":\"1\"}}}";
    for (String s : WireFuzzTest.SEEDS) {
      seeds.add(s);
      if (!s.contains("\"context\"") && !s.contains("\"messageId\"") && !s.contains("\"timestamp\"")) {
        seeds.add(s.substring(0, s.length() - 1) + complete);
      }
    }
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, String>>> edits = Combinators.combine(
        Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 10_000),
        Arbitraries.of(WireFuzzTest.TOKENS)).as(Tuple::of).list().ofMinSize(0).ofMaxSize(4);
    return Combinators.combine(Arbitraries.of(seeds), edits).as(WireFuzzTest::mutate);
  }

  /** Segment messages of every type, field kinds right and wrong, values plain and hostile. */
  @Provide
  Arbitrary<String> generated() {
    Arbitrary<String> str = Arbitraries.oneOf(
        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12).map(WireReaderDifferentialTest::quote),
        Arbitraries.of("\"\"", "\" \"", "\"\\u2003\"", "\"\\t\"", "\"\\ud800\"", "\"\\ud83d\\ude00\"", "\"\u00e9\u4e2d\"",
            "\"\\u0000\"", "\"\\\"\\\\\\/\"", "\"\uD83D\uDE00\""));
    Arbitrary<String> number = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.longs().map(String::valueOf)),
        Tuple.of(3, Arbitraries.bigDecimals().between(new java.math.BigDecimal("-1e6"), new java.math.BigDecimal("1e6"))
            .ofScale(3).map(java.math.BigDecimal::toPlainString)),
        Tuple.of(2, Arbitraries.of("0", "-0", "1.5", "-0.0", "0.000001", "0.0000001", "1e5", "1E-7", "1.0e+2",
            "123456789012345678", "1234567890123456789", "99999999999999999999999", "1e2147483647",
            "1.5e-2147483648", "1" + "0".repeat(1001), "0." + "0".repeat(38) + "1")));
    Arbitrary<String> idValue = Arbitraries.frequencyOf(Tuple.of(10, str), Tuple.of(1, number),
        Tuple.of(1, Arbitraries.of("null", "{}", "[]", "true")));
    Arbitrary<String> ts = Arbitraries.of("\"2024-01-15T10:30:00Z\"", "\"2024-01-15T10:30:00.123Z\"",
        "\"2024-01-15T10:30:00.123Z\"", "\"2024-01-15T10:30:00.123Z\"", "\"2024-02-29T23:59:59.999Z\"",
        "\"2024-01-15T10:30:00.123456+05:30\"", "\"2024-01-15T10:30Z\"", "\"2024-01-15t10:30:00z\"",
        "\"2024-13-01T00:00:00Z\"", "\"yesterday\"", "1705314600000", "null", "\"2024-01-15T10:30:00\"");
    Arbitrary<String> leaf = Arbitraries.oneOf(str, number, Arbitraries.of("true", "false", "null"));
    Arbitrary<String> obj = Arbitraries.recursive(() -> leaf,
        inner -> Arbitraries.oneOf(
            Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6), inner).as(
                (k, v) -> "{" + quote(k) + ":" + v + "}"),
            inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
            Combinators.combine(inner, inner).as((a, b) -> "{\"a\":" + a + ",\"b\":" + b + "}")), 0, 6);
    Arbitrary<String> mapValue = Arbitraries.oneOf(obj.map(v -> "{\"k\":" + v + "}"),
        obj.map(v -> "{\"k\":[{\"d\":1,\"e\":" + v + ",\"d\":2}]}"), Arbitraries.of("{}", "null",
        "[]", "\"s\"", "{\"deep\":" + "[".repeat(62) + "]".repeat(62) + "}",
        "{\"deep\":" + "[".repeat(70) + "]".repeat(70) + "}"));
    Arbitrary<String> library = Arbitraries.of("{\"name\":\"a\",\"version\":\"1\"}", "{}", "null", "\"lib\"", "[]");
    Arbitrary<String> context = Combinators.combine(library, obj, Arbitraries.of(0, 1, 2, 3)).as((lib, extra, shape) -> {
      switch (shape) {
        case 0:
          return "{\"library\":" + lib + "}";
        case 1:
          return "{\"ip\":" + extra + ",\"library\":" + lib + "}";
        case 2:
          return "{\"ip\":" + extra + "}";
        default:
          return "null";
      }
    });
    Arbitrary<String> type = Arbitraries.of("\"track\"", "\"identify\"", "\"page\"", "\"screen\"", "\"group\"",
        "\"alias\"", "\"Track\"", "\"teleport\"", "7", "null");
    Arbitrary<String> big = Arbitraries.frequency(Tuple.of(12, ""), Tuple.of(1, ",\"pad\":\"" + "x".repeat(31_000) + "\""),
        Tuple.of(1, ",\"properties\":{\"pad\":\"" + "x".repeat(31_400) + "\"}"),
        Tuple.of(1, ",\"pad\":\"" + "x".repeat(33_000) + "\""));
    Arbitrary<List<String>> fields = Combinators.combine(
        field("type", type, 98), field("userId", idValue, 80), field("anonymousId", idValue, 40),
        field("messageId", idValue, 85), field("timestamp", ts, 85), field("event", idValue, 70),
        field("groupId", idValue, 40), field("previousId", idValue, 40)).as(List::of);
    Arbitrary<List<String>> more = Combinators.combine(
        field("name", Arbitraries.oneOf(str, number, Arbitraries.of("null", "{}")), 30),
        field("category", str, 20), field("properties", mapValue, 50), field("traits", mapValue, 40),
        field("context", context, 90), field("integrations", mapValue, 30), field("sentAt", leaf, 20),
        field("extra", obj, 30)).as(List::of);
    return Combinators.combine(fields, more, big, Arbitraries.randoms()).as((a, b, pad, random) -> {
      List<String> all = new ArrayList<>(a);
      all.addAll(b);
      all.removeIf(String::isEmpty);
      java.util.Collections.shuffle(all, random);
      return "{" + String.join(",", all) + pad + "}";
    });
  }

  private static Arbitrary<String> field(String name, Arbitrary<String> value, int percent) {
    return Arbitraries.integers().between(0, 99).flatMap(
        roll -> roll < percent ? value.map(v -> quote(name) + ":" + v) : Arbitraries.just(""));
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }
}
