package dev.beacon.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SegmentRequests#parseBatch}'s one-pass reader ({@code FastBatch}) against the strict reader
 * (Jackson's databind with strict duplicate detection), which defines the answer: every body the
 * fast reader settles, the strict reader accepts with the same messages, sizes and envelope; every
 * other body gets the strict reader's answer. Bodies: an SDK's, and thousands built at random from
 * hostile parts (repeated names at every level, numbers out of range, deep and odd values, unknown
 * fields, bytes flipped).
 */
class SegmentRequestsFastBatchTest {
  private static final String[] VALUES = {"\"u\"", "\"\"", "1", "-7", "2147483648", "9223372036854775808", "1.5",
      "129.95", "0.0", "-0", "1e3", "1E-7", "1e2147483647", "1e999999999", "123456789012345678901234567890",
      "9".repeat(900), "null", "true", "false", "[]", "{}", "[1,[2,[{}]]]", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}",
      "[{\"x\":1,\"y\":2,\"x\":3}]", "\"\\u001b[2J\"", "\"\\ud800\"", "\"é \\u2028\"", "{\"library\":{\"name\":\"x\"}}",
      "\"2024-01-15T10:30:00Z\"", "[1e999999999]", "{\"n\":1e-999999999}"};
  private static final String[] NAMES = {"type", "userId", "anonymousId", "messageId", "event", "timestamp",
      "context", "properties", "traits", "integrations", "writeKey", "x"};
  private static final String[] TOP = {"batch", "context", "integrations", "sentAt", "writeKey", "other"};

  private static String sdkBody() {
    List<String> m = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      m.add("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"user-" + i + "\","
          + "\"properties\":{\"orderId\":\"o-" + i + "\",\"total\":129.95,\"currency\":\"EUR\",\"items\":3,\"ok\":true,"
          + "\"tags\":[\"a\",null,1.5e2]},\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"1.0.0\"}},"
          + "\"messageId\":\"m-" + i + "\",\"timestamp\":\"2026-12-07T20:00:00.000Z\",\"writeKey\":\"k\"}");
    }
    return "{\"batch\":[" + String.join(",", m) + "],\"context\":{\"page\":{\"path\":\"/\"}},\"integrations\":{\"All\":true},"
        + "\"sentAt\":\"2026-12-07T20:00:01Z\",\"writeKey\":\"key\"}";
  }

  /** The strict reader's answer, and the fast reader's when it settles the body, must agree. */
  private static boolean agree(byte[] body) {
    SegmentRequests.Parsed strict = null;
    String refusal = null;
    try {
      strict = SegmentRequests.parseBatchStrictly(body);
    } catch (SegmentRequests.Refusal e) {
      refusal = e.getMessage();
    }
    SegmentRequests.Parsed fast = SegmentRequests.FastBatch.parse(body);
    if (fast != null) {
      assertThat(refusal).as("the strict reader refused what the fast one settled").isNull();
      assertThat(fast.messages).isEqualTo(strict.messages);
      assertThat(fast.sizes).isEqualTo(strict.sizes);
      assertThat(fast.context).isEqualTo(strict.context);
      assertThat(fast.integrations).isEqualTo(strict.integrations);
      assertThat(fast.envelopeBytes).isEqualTo(strict.envelopeBytes);
      assertThat(fast.sentAt).isEqualTo(strict.sentAt);
      assertThat(fast.writeKey).isEqualTo(strict.writeKey);
    }
    // What callers get is the strict reader's answer either way.
    try {
      SegmentRequests.Parsed got = SegmentRequests.parseBatch(body);
      assertThat(refusal).isNull();
      assertThat(got.messages).isEqualTo(strict.messages);
    } catch (SegmentRequests.Refusal e) {
      assertThat(e.getMessage()).isEqualTo(refusal);
    }
    return fast != null;
  }

  @Test
  void anSdksBatchIsSettledByTheFastReaderWithTheStrictReadersResult() {
    assertThat(agree(sdkBody().getBytes(StandardCharsets.UTF_8))).isTrue();
  }

  @Test
  void repeatedNamesAndOutOfRangeNumbersAnywhereGetTheStrictReadersAnswer() {
    for (String body : new String[] {
        "{\"batch\":[],\"batch\":[]}",
        "{\"batch\":[{\"type\":\"track\",\"type\":\"page\"}]}",
        "{\"batch\":[{\"properties\":{\"a\":{\"b\":1,\"b\":2}}}]}",
        "{\"batch\":[],\"context\":{\"a\":1,\"a\":1}}",
        "{\"batch\":[],\"other\":{\"a\":1,\"a\":1}}",
        "{\"batch\":[],\"sentAt\":{\"a\":1,\"a\":1}}",
        "{\"batch\":[{\"properties\":{\"x\":1e999999999}}]}",
        "{\"batch\":[],\"other\":1e999999999}",
        "{\"batch\":[{\"properties\":{\"x\":" + "9".repeat(1200) + "}}]}",
        "{\"batch\":[1]}", "{\"batch\":{}}", "[]", "{}", "{\"batch\":[]} x", "{\"batch\":[{]}", ""}) {
      agree(body.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(agree("{\"batch\":[],\"other\":{\"a\":1,\"b\":[1,{\"c\":null}]}}".getBytes(StandardCharsets.UTF_8)))
        .isTrue();
  }

  @Test
  void randomHostileBodiesGetTheStrictReadersAnswer() {
    Random r = new Random(22);
    int settled = 0;
    for (int i = 0; i < 4000; i++) {
      StringBuilder b = new StringBuilder("{");
      int fields = 1 + r.nextInt(4);
      for (int f = 0; f < fields; f++) {
        String top = TOP[r.nextInt(TOP.length)];
        b.append(f > 0 ? "," : "").append('"').append(top).append("\":");
        if (top.equals("batch")) {
          b.append('[');
          int n = r.nextInt(4);
          for (int k = 0; k < n; k++) {
            b.append(k > 0 ? "," : "").append(object(r, 1 + r.nextInt(6)));
          }
          b.append(']');
        } else {
          b.append(r.nextBoolean() ? object(r, r.nextInt(3)) : VALUES[r.nextInt(VALUES.length)]);
        }
      }
      b.append('}');
      byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
      if (r.nextInt(4) == 0 && body.length > 0) {
        String junk = " {}[],:\"\\1e-";
        body[r.nextInt(body.length)] = (byte) junk.charAt(r.nextInt(junk.length()));
      }
      if (agree(body)) {
        settled++;
      }
    }
    // Both kinds occur: the fast reader settles many, and leaves many to the strict one.
    assertThat(settled).isBetween(50, 3950);
  }

  private static String object(Random r, int fields) {
    StringBuilder b = new StringBuilder("{");
    for (int f = 0; f < fields; f++) {
      b.append(f > 0 ? "," : "").append('"').append(NAMES[r.nextInt(NAMES.length)]).append("\":")
          .append(VALUES[r.nextInt(VALUES.length)]);
    }
    return b.append('}').toString();
  }
}
