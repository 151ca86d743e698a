package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import dev.beacon.wire.SegmentRequests;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the collector's side of the shared wire validation ({@link SegmentRequests} on
 * {@code WireRules}) with Segment bodies built at random from hostile parts: numeric ids with
 * huge exponents, numbers out of range, repeated keys, deep and wide batch contexts, bytes
 * flipped, trailing content (issue 26). Every body ends in accepted messages or a
 * {@link SegmentRequests.Refusal} (a 400), never another exception.
 */
class SegmentRequestsFuzzTest {
  private static final List<String> VALUES = List.of("\"u\"", "\"\"", "1", "-7", "1.5", "1e2147483647", "1e999999999",
      "1.5e-2147483648", "-1e-99999", "123456789012345678901234567890", "9".repeat(900), "null", "true", "[]",
      "{}", "{\"library\":{\"name\":\"x\",\"version\":\"1\"}}", "\"2024-01-15T10:30:00Z\"", "\"2024-01-15T10:30\"",
      "\"not a time\"", "\"\\u001b[2J\"", "\"\\ud800\"", "[1,[2,[3]]]");
  private static final List<String> FIELDS = List.of("type", "userId", "anonymousId", "messageId", "groupId",
      "previousId", "event", "name", "timestamp", "sentAt", "context", "integrations", "properties", "traits");
  private static final List<String> TYPES = List.of("\"track\"", "\"identify\"", "\"page\"", "\"screen\"",
      "\"group\"", "\"alias\"", "\"teleport\"", "7");

  @Property(tries = 1500, seed = "26")
  void everyBatchBodyIsAcceptedOrRefusedWithAReason(@ForAll("batchBodies") byte[] body) {
    assertParsesOrRefuses(body, true);
  }

  @Property(tries = 1000, seed = "2626")
  void everySingleCallBodyIsAcceptedOrRefusedWithAReason(@ForAll("messages") String message,
      @ForAll("flips") List<Integer> flips) {
    assertParsesOrRefuses(flip(message.getBytes(StandardCharsets.UTF_8), flips), false);
  }

  private static void assertParsesOrRefuses(byte[] body, boolean batch) {
    try {
      SegmentRequests.Parsed p = batch ? SegmentRequests.parseBatch(body) : SegmentRequests.parseSingle(body);
      SegmentRequests.checkTimestamp(p.sentAt);
      for (int i = 0; i < p.messages.size(); i++) {
        Map<String, Object> m = p.messages.get(i);
        String problem = SegmentRequests.normalize(m, p);
        if (problem == null) {
          SegmentRequests.validate(m, i, batch ? null : "track", false, (kind, text) -> { });
        }
        SegmentRequests.sizeAfterMerge(m, p.sizes.get(i), p, CollectorServer.MAX_MESSAGE_BYTES);
        if (problem == null) {
          assertThat(WireFormat.toJson(m)).isNotEmpty();
        }
      }
    } catch (SegmentRequests.Refusal e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> messages() {
    Arbitrary<String> field = Combinators.combine(Arbitraries.of(FIELDS), Arbitraries.of(VALUES))
        .as((f, v) -> "\"" + f + "\":" + v);
    Arbitrary<String> type = Arbitraries.of(TYPES).map(t -> "\"type\":" + t);
    return Combinators.combine(type, field.list().ofMaxSize(8), Arbitraries.of("", "", "", " {}", "]", " x"))
        .as((t, fields, tail) -> "{" + t + (fields.isEmpty() ? "" : "," + String.join(",", fields)) + "}" + tail);
  }

  @Provide
  Arbitrary<byte[]> batchBodies() {
    Arbitrary<String> context = Arbitraries.integers().between(0, 200).map(depth ->
        "\"context\":" + "{\"a\":".repeat(depth) + "{\"library\":{\"name\":\"x\",\"version\":\"1\"}}" + "}".repeat(depth));
    Arbitrary<String> envelope = Arbitraries.oneOf(context, Arbitraries.of("\"sentAt\":1.5e-2147483648",
        "\"sentAt\":\"2024-01-15T10:30:00Z\"", "\"integrations\":{\"All\":false}", "\"writeKey\":\"k\"",
        "\"context\":{\"x\":1.5e-2147483648}", "\"context\":[]", "\"batch\":[]"));
    return Combinators.combine(messages().list().ofMaxSize(6), envelope.list().ofMaxSize(3), flips())
        .as((ms, env, flips) -> {
          String body = "{\"batch\":[" + String.join(",", ms) + "]" + (env.isEmpty() ? "" : "," + String.join(",", env))
              + "}";
          return flip(body.getBytes(StandardCharsets.UTF_8), flips);
        });
  }

  @Provide
  Arbitrary<List<Integer>> flips() {
    return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMaxSize(2);
  }

  /** Flips a bit of a byte at each position given (mod the length): broken UTF-8, broken JSON. */
  private static byte[] flip(byte[] b, List<Integer> at) {
    for (int i : at) {
      if (b.length > 0) {
        b[i % b.length] ^= (byte) (1 << (i % 8));
      }
    }
    return b;
  }
}
