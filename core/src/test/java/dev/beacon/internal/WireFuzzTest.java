package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Message;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Fuzzes the shared wire validation ({@link MessageCodec#decode} under {@link WireRules}) with
 * random and mutated Segment payloads, hostile numbers and encodings included (issue 26): every
 * input ends in an accepted message or an {@link IllegalArgumentException} naming the problem,
 * never another exception. A few thousand inputs, a second or two.
 */
class WireFuzzTest {
  /** Valid payloads the mutations start from. */
  static final List<String> SEEDS = List.of(
      "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Signed Up\",\"properties\":{\"plan\":\"pro\",\"n\":1.5}}",
      "{\"type\":\"identify\",\"userId\":123,\"traits\":{\"email\":\"a@b.c\",\"tags\":[1,2,3]},"
          + "\"timestamp\":\"2024-01-15T10:30:00Z\"}",
      "{\"type\":\"page\",\"anonymousId\":\"a\",\"name\":\"Home\",\"context\":{\"library\":{\"name\":\"x\","
          + "\"version\":\"1\"},\"ip\":\"1.2.3.4\"},\"messageId\":\"m-1\"}",
      "{\"type\":\"group\",\"userId\":\"u\",\"groupId\":42,\"traits\":{\"name\":\"Acme\"}}",
      "{\"type\":\"alias\",\"userId\":\"u\",\"previousId\":\"p\",\"integrations\":{\"All\":false}}",
      "{\"type\":\"screen\",\"userId\":\"u\",\"name\":\"Main\",\"properties\":{\"deep\":{\"a\":{\"b\":[null,true]}}}}");
  /** Fragments inserted by the mutations: hostile numbers, structure, encodings, controls. */
  static final List<String> TOKENS = List.of(
      "1e2147483647", "1e999999999", "1.5e-2147483648", "-1e-2147483647", "1e2147483648", "9".repeat(1200),
      "123456789012345678901234567890", "0.1", "-0", "NaN", "Infinity", "\"userId\":", "\"type\":",
      "\"messageId\":", "\"groupId\":", "\"previousId\":", "\"timestamp\":\"2024-13-45T99:99:99Z\"",
      "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "\u0000", "\u001b[2J", "\uFEFF",
      "null", "true", "{\"a\":{\"a\":{\"a\":{}}}}", "[[[[[[[[[[", "\"type\":\"track\"", "\"userId\":1e2147483647");

  @Property(tries = 2000, seed = "26")
  void everyMutatedPayloadIsAcceptedOrRefusedWithAReason(@ForAll("mutated") byte[] input) {
    assertDecodesOrRefuses(input);
  }

  @Property(tries = 500, seed = "2626")
  void everyRandomPayloadIsAcceptedOrRefusedWithAReason(@ForAll("random") byte[] input) {
    assertDecodesOrRefuses(input);
  }

  static void assertDecodesOrRefuses(byte[] input) {
    try {
      Message m = MessageCodec.decode(input, 0, input.length);
      assertThat(m).isNotNull();
      assertThat(MessageSerializer.toBytes(m).length).isPositive();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    Arbitrary<String> seed = Arbitraries.of(SEEDS);
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, String>>> edits = Combinators.combine(
        Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 10_000), Arbitraries.of(TOKENS))
        .as(Tuple::of).list().ofMinSize(1).ofMaxSize(6);
    return Combinators.combine(seed, edits).as(WireFuzzTest::mutate);
  }

  @Provide
  Arbitrary<byte[]> random() {
    Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(200);
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    Arbitrary<byte[]> tokens = Arbitraries.of(TOKENS).list().ofMaxSize(30)
        .map(l -> String.join("", l).getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(text.map(s -> s.getBytes(StandardCharsets.UTF_8)), bytes, tokens);
  }

  /** Applies edits: 0 inserts a token, 1 replaces a value after a colon, 2 deletes a range, 3 flips a byte. */
  static byte[] mutate(String seed, List<Tuple.Tuple3<Integer, Integer, String>> edits) {
    byte[] b = seed.getBytes(StandardCharsets.UTF_8);
    for (Tuple.Tuple3<Integer, Integer, String> e : edits) {
      int at = b.length == 0 ? 0 : e.get2() % b.length;
      byte[] token = e.get3().getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + token.length);
      switch (e.get1()) {
        case 0:
          out.write(b, 0, at);
          out.write(token, 0, token.length);
          out.write(b, at, b.length - at);
          break;
        case 1: {
          int colon = indexOf(b, (byte) ':', at);
          if (colon < 0) {
            out.write(b, 0, b.length);
            break;
          }
          int end = colon + 1;
          while (end < b.length && b[end] != ',' && b[end] != '}') {
            end++;
          }
          out.write(b, 0, colon + 1);
          out.write(token, 0, token.length);
          out.write(b, end, b.length - end);
          break;
        }
        case 2: {
          int len = Math.min(b.length - at, 1 + token.length);
          out.write(b, 0, at);
          out.write(b, at + len, b.length - at - len);
          break;
        }
        default:
          out.write(b, 0, b.length);
          byte[] r = out.toByteArray();
          if (r.length > 0) {
            r[at] = (byte) (r[at] ^ token[0]);
          }
          b = r;
          continue;
      }
      b = out.toByteArray();
    }
    return b;
  }

  private static int indexOf(byte[] b, byte v, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }
}
