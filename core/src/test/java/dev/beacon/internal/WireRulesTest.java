package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Message;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 26: the shared refusals of hostile wire input, as {@link MessageCodec} applies them. */
class WireRulesTest {

  private static Message decode(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return MessageCodec.decode(b, 0, b.length);
  }

  @Test
  void aNumericUserIdWhosePlainFormIsTwoBillionDigitsIsRefusedNotExpanded() {
    assertThatThrownBy(() -> decode("{\"type\":\"identify\",\"userId\":1e2147483647,\"messageId\":\"x\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("userId: the number 1E+2147483647 is out of range (its decimal exponent is beyond +/-1000)");
    assertThatThrownBy(() -> decode("{\"type\":\"identify\",\"userId\":1e999999999,\"messageId\":\"x\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("userId: the number");
    assertThatThrownBy(() -> decode("{\"type\":\"identify\",\"anonymousId\":-1.5e-9999999}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("anonymousId: the number");
    // Within the number range, the id's plain form is what is bounded: 1e200 is 201 digits.
    assertThatThrownBy(() -> decode("{\"type\":\"identify\",\"userId\":1e200}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userId is a number whose plain form would be 201 characters");
  }

  @Test
  void everyIdFieldSentAsANumberIsBoundedTheSameWay() {
    for (String field : WireRules.idFields()) {
      String type = field.equals("groupId") ? "group" : "alias";
      StringBuilder json = new StringBuilder("{\"type\":\"" + type + "\"");
      for (String f : new String[] {"userId", "previousId", "groupId", "messageId"}) {
        if (!f.equals(field)) {
          json.append(",\"").append(f).append("\":\"v\"");
        }
      }
      json.append(",\"").append(field).append("\":1e200}");
      assertThatThrownBy(() -> decode(json.toString())).as(field).hasMessageContaining(field + " is a number");
    }
  }

  @Test
  void shortNumericIdsBecomeTheirPlainText() {
    Message m = decode("{\"type\":\"group\",\"userId\":12345,\"anonymousId\":1.5e3,\"groupId\":7,"
        + "\"messageId\":42}");
    assertThat(m.userId()).isEqualTo("12345");
    assertThat(m.anonymousId()).isEqualTo("1500");
    assertThat(m.messageId()).isEqualTo("42");
    assertThat(WireRules.numericId("userId", new BigDecimal("1e99"))).hasSize(100);
    assertThatThrownBy(() -> WireRules.numericId("userId", new BigDecimal("1e100")))
        .hasMessageContaining("101 characters");
    assertThat(WireRules.numericId("userId", new BigDecimal("-0.001"))).isEqualTo("-0.001");
    assertThat(WireRules.numericId("userId", BigInteger.TEN.pow(99))).hasSize(100);
    assertThatThrownBy(() -> WireRules.numericId("userId", Double.NaN)).hasMessageContaining("not finite");
  }

  @Test
  void plainLengthMatchesToPlainStringForOrdinaryNumbers() {
    for (String s : new String[] {"0", "1", "-1", "12.5", "-0.001", "1e5", "1.23e-7", "-9.99e10", "0.0", "100"}) {
      BigDecimal d = new BigDecimal(s);
      assertThat(WireRules.plainLength(d)).as(s).isEqualTo(d.toPlainString().length());
    }
  }

  @Test
  void aNumberWhoseExponentOverflowsIsARefusalNotANumberFormatException() {
    assertThatThrownBy(() -> decode("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\","
        + "\"properties\":{\"x\":1.5e-2147483648}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("properties.x: the number 1.5e-2147483648 is out of range (its exponent is too large)");
  }

  @Test
  void aNumberWhoseExponentIsBeyondAThousandIsRefusedAnywhereInTheMessage() {
    assertThatThrownBy(() -> decode("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\","
        + "\"properties\":{\"x\":[1,{\"y\":1e2147483647}]}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("properties.x[1].y: the number 1E+2147483647 is out of range")
        .hasMessageContaining("+/-1000");
    assertThatThrownBy(() -> decode("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"x\":-2.5e-1001}}"))
        .hasMessageContaining("out of range");
    Message edge = decode("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"a\":1e1000,\"b\":-1e-1000,"
        + "\"c\":0e999999}}");
    assertThat(edge.toBuilder()).isNotNull();
    assertThatThrownBy(() -> dev.beacon.Track.builder("e").userId("u")
        .properties(java.util.Map.of("x", new BigDecimal("1e5000"))).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> dev.beacon.Track.builder("e").userId("u")
        .properties(java.util.Map.of("x", BigInteger.TEN.pow(1001))).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
  }

  @Test
  void duplicateKeysTrailingTokensAndNonUtf8TextAreRefused() {
    assertThatThrownBy(() -> decode("{\"type\":\"track\",\"type\":\"identify\",\"userId\":\"u\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Duplicate field 'type'");
    assertThatThrownBy(() -> decode("{\"type\":\"identify\",\"userId\":\"u\"} {}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after the JSON value");
    for (String cs : new String[] {"UTF-16BE", "UTF-16LE", "UTF-16", "UTF-32BE", "UTF-32LE"}) {
      byte[] b = "{\"type\":\"identify\",\"userId\":\"u\"}".getBytes(Charset.forName(cs));
      assertThatThrownBy(() -> MessageCodec.decode(b, 0, b.length)).as(cs)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not UTF-8");
    }
  }

  @Test
  void errorTextsEscapeControlCharactersFromTheInput() {
    assertThatThrownBy(() -> decode("{\"type\":\"\\u001b[2J\\nfile:99: forged\",\"userId\":\"u\"}"))
        .hasMessageContaining("\\u001b[2J\\nfile:99: forged")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u001b").doesNotContain("\n"));
    assertThat(WireRules.printable("a\u0007b\u009bc\u2028", 100)).isEqualTo("a\\u0007b\\u009bc\\u2028");
    assertThat(WireRules.printable("abcdef", 3)).isEqualTo("abc...");
  }
}
