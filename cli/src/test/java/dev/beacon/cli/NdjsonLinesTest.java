package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link NdjsonLines} checks UTF-8 on the bytes, judging every line as the JDK's strict decoder does. */
class NdjsonLinesTest {
  private static boolean jdkAccepts(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void utf8CheckAgreesWithTheJdkDecoderOnGeneratedBytes() {
    Random rnd = new Random(27);
    // Lead and continuation bytes around every boundary of Unicode's table 3-7.
    int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
        0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFE, 0xFF};
    int disagreements = 0;
    int valid = 0;
    for (int c = 0; c < 200_000; c++) {
      byte[] b = new byte[1 + rnd.nextInt(6)];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt(256) : interesting[rnd.nextInt(interesting.length)]);
      }
      boolean jdk = jdkAccepts(b);
      valid += jdk ? 1 : 0;
      if (NdjsonLines.validUtf8(b, 0, b.length) != jdk) {
        disagreements++;
      }
    }
    assertThat(disagreements).isZero();
    assertThat(valid).as("the corpus holds valid sequences too").isGreaterThan(1000);
  }

  @Test
  void everyCodePointEncodedByTheJdkIsValid() {
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        continue;
      }
      byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      assertThat(NdjsonLines.validUtf8(b, 0, b.length)).as("U+%X", cp).isTrue();
    }
  }

  @Test
  void aLineIsHandedOutAsBytesAndItsTextOnlyWhenAskedFor() throws Exception {
    byte[] in = "\uFEFF{\"a\":\"\u00e9\"}\r\n\u00ff".getBytes(StandardCharsets.UTF_8);
    in[in.length - 2] = (byte) 0xC0; // the second line: an overlong lead byte
    NdjsonLines lines = new NdjsonLines(new ByteArrayInputStream(in), 100);
    NdjsonLines.Line first = lines.next();
    assertThat(new String(first.bytes(), first.from(), first.length(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"\u00e9\"}");
    assertThat(first.text()).isEqualTo("{\"a\":\"\u00e9\"}");
    NdjsonLines.Line second = lines.next();
    assertThat(second.text()).isNull();
    assertThat(second.problem()).isEqualTo("the line is not valid UTF-8");
    assertThat(lines.next()).isNull();
  }
}
