package dev.beacon.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamedBody}, the collector's streaming check, against {@link SegmentRequests}' parse and
 * check, which define the answer: every body the streaming check settles, the map path accepts —
 * with the same messages (as maps), ids, types, events, write key and warnings, in both modes; every
 * other body is left to the map path. Bodies: SDKs' batches and single calls, the edge cases of
 * each rule, and thousands built at random from valid messages with one part made hostile or odd.
 */
class StreamedBodyDifferentialTest {
  private static final SegmentRequests.Limits LIMITS = SegmentRequests.Limits.SEGMENT;
  private static final String LIBRARY = "\"context\":{\"library\":{\"name\":\"analytics-java\",\"version\":\"3.5.4\"}}";

  /** Replacement values for one field of a valid message: valid, invalid, odd. */
  private static final String[] VALUES = {"\"u\"", "\"\"", "\"  \"", "\"\\t\"", "1", "-7", "2147483648", "1.5",
      "129.95", "1e3", "1E-7", "1e999999999", "9".repeat(900), "9".repeat(1001), "null", "true", "[]", "{}",
      "[1,[2,[{}]]]", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}", "\"\\u001b[2J\"", "\"\\ud800\"",
      "\"é \\u2028\"", "{\"library\":{\"name\":\"x\"}}", "{\"library\":{\"name\":\"\"}}", "{\"library\":\"x\"}",
      "{\"library\":{\"name\":\"x\",\"name\":\"y\"}}", "{\"library\":{\"version\":\"1\"}}",
      "\"2024-01-15T10:30:00Z\"", "\"2024-01-15T10:30:00.123+01:00\"", "\"2024-01-15T10:30\"",
      "\"2024-01-15t10:30:00z\"", "\"2024-02-30T10:30:00Z\"", "\"x\".repeat", "\"" + "m".repeat(100) + "\"",
      "\"" + "m".repeat(101) + "\"", "\"track\"", "\"page\"", "\"alias\"", "\"group\"", "\"Track\"", "\"screen\""};
  private static final String[] FIELDS = {"type", "userId", "anonymousId", "messageId", "event", "timestamp",
      "originalTimestamp", "sentAt", "context", "properties", "traits", "integrations", "writeKey", "name",
      "groupId", "previousId", "category", "x"};
  private static final String[] TYPES = {"track", "identify", "page", "screen", "group", "alias"};

  /** A valid message of each type, with or without context.library. */
  private static String message(Random r, int i) {
    String type = TYPES[r.nextInt(TYPES.length)];
    StringBuilder b = new StringBuilder("{\"type\":\"").append(type).append('"');
    b.append(",\"userId\":\"user-").append(i).append('"');
    if (r.nextBoolean()) {
      b.append(",\"anonymousId\":\"anon-").append(i).append('"');
    }
    switch (type) {
      case "track":
        b.append(",\"event\":\"Order Completed\",\"properties\":{\"total\":129.95,\"items\":[1,2,{\"sku\":\"a\"}]}");
        break;
      case "group":
        b.append(",\"groupId\":\"g-").append(i).append("\",\"traits\":{\"plan\":\"pro\"}");
        break;
      case "alias":
        b.append(",\"previousId\":\"p-").append(i).append('"');
        break;
      case "page":
      case "screen":
        b.append(",\"name\":\"Home\",\"category\":\"Docs\"");
        break;
      default:
        b.append(",\"traits\":{\"email\":\"a@example.com\",\"age\":41}");
    }
    if (r.nextInt(4) > 0) {
      b.append(",\"messageId\":\"m-").append(i).append('"');
    }
    if (r.nextInt(4) > 0) {
      b.append(",\"timestamp\":\"2026-12-07T20:00:00.").append(100 + i % 900).append("Z\"");
    }
    if (r.nextInt(3) > 0) {
      b.append(',').append(LIBRARY);
    }
    if (r.nextInt(5) == 0) {
      b.append(",\"writeKey\":\"k-").append(i).append('"');
    }
    return b.append('}').toString();
  }

  /** Sets (or adds) one field of a message to a value. */
  private static String with(String message, String field, String value) {
    String body = message.substring(1, message.length() - 1);
    List<String> out = new ArrayList<>();
    boolean done = false;
    // The generator's messages have no comma inside top-level string values, and objects only as
    // the last parts of a field: split on top-level commas.
    int depth = 0;
    int start = 0;
    boolean inString = false;
    for (int i = 0; i <= body.length(); i++) {
      char c = i < body.length() ? body.charAt(i) : ',';
      if (c == '"' && (i == 0 || body.charAt(i - 1) != '\\')) {
        inString = !inString;
      } else if (!inString && (c == '{' || c == '[')) {
        depth++;
      } else if (!inString && (c == '}' || c == ']')) {
        depth--;
      } else if (!inString && depth == 0 && c == ',') {
        String part = body.substring(start, i);
        if (part.startsWith("\"" + field + "\":")) {
          out.add("\"" + field + "\":" + value);
          done = true;
        } else {
          out.add(part);
        }
        start = i + 1;
      }
    }
    if (!done) {
      out.add("\"" + field + "\":" + value);
    }
    return "{" + String.join(",", out) + "}";
  }

  private static String value(Random r) {
    String v = VALUES[r.nextInt(VALUES.length)];
    return "\"x\".repeat".equals(v) ? "\"" + "x".repeat(r.nextInt(40_000)) + "\"" : v;
  }

  /** The two paths agree; returns whether the streaming one settled the body. */
  private static boolean agree(byte[] body, String singleType, boolean strict) {
    boolean batch = singleType == null;
    StreamedBody streamed = batch ? StreamedBody.readBatch(body, LIMITS, strict)
        : StreamedBody.readSingle(body, singleType, LIMITS, strict);
    if (streamed == null) {
      return false;
    }
    List<String> expected = new ArrayList<>();
    SegmentRequests.Parsed parsed;
    try {
      parsed = batch ? SegmentRequests.parseBatchStrictly(body) : SegmentRequests.parseSingle(body);
      SegmentRequests.check(parsed, singleType, LIMITS, strict, (kind, text) -> expected.add(kind + ": " + text));
    } catch (SegmentRequests.Refusal e) {
      throw new AssertionError("the map path refused what the streaming path settled (" + e.getMessage() + "): "
          + new String(body, StandardCharsets.UTF_8), e);
    }
    List<String> got = new ArrayList<>();
    streamed.warnings((kind, text) -> got.add(kind + ": " + text));
    assertThat(got).isEqualTo(expected);
    assertThat(streamed.writeKey()).isEqualTo(parsed.writeKey);
    assertThat(streamed.size()).isEqualTo(parsed.messages.size());
    for (int i = 0; i < streamed.size(); i++) {
      Map<String, Object> m = parsed.messages.get(i);
      assertThat(streamed.message(i)).isEqualTo(m);
      assertThat(streamed.type(i)).isEqualTo(m.get("type"));
      assertThat(streamed.messageId(i)).isEqualTo(m.get("messageId"));
      assertThat(streamed.event(i)).isEqualTo(m.get("event"));
    }
    return true;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sdkBatchesAreSettledWithTheMapPathsMessagesAndWarnings() {
    Random r = new Random(27);
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      messages.add(message(r, i));
    }
    String batch = "{\"batch\":[" + String.join(",", messages) + "],\"sentAt\":\"2026-12-07T20:00:01.000Z\"}";
    assertThat(agree(utf8(batch), null, false)).isTrue();
    String withKey = "{\"writeKey\":\"key\",\"batch\":[" + String.join(",", messages) + "]}";
    assertThat(agree(utf8(withKey), null, false)).isTrue();
    // Strict mode leaves a message without context.library to the map path, which refuses it.
    assertThat(agree(utf8(batch), null, true)).isFalse();
  }

  @Test
  void singleCallsAreSettledOnlyForTheirOwnType() {
    String track = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"writeKey\":\"k\"," + LIBRARY + "}";
    assertThat(agree(utf8(track), "track", true)).isTrue();
    assertThat(agree(utf8(track), "page", false)).isFalse();
    assertThat(agree(utf8("{\"event\":\"E\",\"userId\":\"u\"}"), "track", false)).isFalse();
  }

  @Test
  void everyRuleAtItsEdgeIsSettledOnlyWhenTheMapPathAccepts() {
    Random r = new Random(7);
    for (String field : FIELDS) {
      for (String v : VALUES) {
        String value = "\"x\".repeat".equals(v) ? "\"" + "x".repeat(32_700) + "\"" : v;
        for (int k = 0; k < 6; k++) {
          String m = with(message(r, k), field, value);
          agree(utf8("{\"batch\":[" + m + "]}"), null, false);
          agree(utf8("{\"batch\":[" + m + "]}"), null, true);
          agree(utf8(m), TYPES[k], false);
        }
      }
    }
    for (String body : new String[] {"{\"batch\":[],\"batch\":[]}", "{\"batch\":[],\"context\":{}}",
        "{\"batch\":[],\"context\":null}", "{\"batch\":[],\"integrations\":{\"All\":true}}",
        "{\"batch\":[],\"sentAt\":\"2024-01-15T10:30\"}", "{\"batch\":[],\"writeKey\":1}", "{\"batch\":[]} x",
        "{\"batch\":[1]}", "{\"batch\":{}}", "[]", "{}", "", "{\"batch\":[{]}", "{\"batch\":[],\"x\":{\"a\":1,\"a\":2}}",
        "{\"batch\":[" + "[".repeat(70) + "]".repeat(70) + "]}"}) {
      agree(utf8(body), null, false);
    }
    assertThat(agree(utf8("{\"batch\":[],\"sentAt\":null,\"x\":[1,{\"y\":null}]}"), null, false)).isTrue();
  }

  @Test
  void randomBodiesWithOneHostileOrOddPartGetTheMapPathsAnswer() {
    Random r = new Random(2727);
    int settled = 0;
    int left = 0;
    for (int i = 0; i < 3000; i++) {
      int n = 1 + r.nextInt(5);
      List<String> messages = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        String m = message(r, i * 8 + k);
        if (r.nextInt(3) == 0) {
          m = with(m, FIELDS[r.nextInt(FIELDS.length)], value(r));
        }
        messages.add(m);
      }
      String body = "{\"batch\":[" + String.join(",", messages) + "]"
          + (r.nextInt(4) == 0 ? ",\"sentAt\":" + value(r) : "") + (r.nextInt(6) == 0 ? ",\"writeKey\":" + value(r) : "")
          + "}";
      byte[] bytes = utf8(body);
      if (r.nextInt(5) == 0) {
        String junk = " {}[],:\"\\1e-";
        bytes[r.nextInt(bytes.length)] = (byte) junk.charAt(r.nextInt(junk.length()));
      }
      boolean strict = r.nextInt(4) == 0;
      if (agree(bytes, null, strict)) {
        settled++;
      } else {
        left++;
      }
      if (n == 1 && agree(utf8(messages.get(0)), TYPES[r.nextInt(TYPES.length)], strict)) {
        settled++;
      }
    }
    // Both kinds occur: most valid bodies are settled, and many are left to the map path.
    assertThat(settled).isGreaterThan(500);
    assertThat(left).isGreaterThan(500);
  }
}
