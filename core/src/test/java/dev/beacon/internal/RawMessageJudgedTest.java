package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Message;
import dev.beacon.Track;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link RawMessage#ofJudged}: bytes a receiver already judged complete are taken as they are, with
 * no scan and no copy; everything else still goes through {@link RawMessage#of}'s one scan, which
 * completes a message lacking a field.
 */
class RawMessageJudgedTest {
  private static final String COMPLETE = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"messageId\":\"m-1\","
      + "\"timestamp\":\"2026-12-07T20:00:00.000Z\",\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"1\"}},"
      + "\"receivedAt\":\"2026-12-07T20:00:01Z\"}";
  private static final long NOW = 1_765_000_000_000L;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aMessageJudgedCompleteIsTakenAsItIsWithoutACopy() {
    byte[] json = utf8(COMPLETE);
    RawMessage raw = RawMessage.ofJudged(json, true, () -> "never", NOW);
    assertThat(raw.json()).isSameAs(json);
    assertThat(raw.message()).isInstanceOf(Track.class);
    assertThat(raw.message().messageId()).isEqualTo("m-1");
  }

  @Test
  void aMessageLackingATimestampStillGoesThroughTheCompletingPath() {
    String noTimestamp = COMPLETE.replace("\"timestamp\":\"2026-12-07T20:00:00.000Z\",", "");
    byte[] json = utf8(noTimestamp);
    RawMessage raw = RawMessage.ofJudged(json, false, () -> "never", NOW);
    // Completed as of() completes it: the time it was given inserted into its own bytes, every other
    // field kept (receivedAt included).
    assertThat(raw.json()).isEqualTo(RawMessage.of(json, 0, json.length, () -> "never", NOW).json());
    assertThat(new String(raw.json(), StandardCharsets.UTF_8))
        .startsWith("{\"timestamp\":\"" + Timestamps.format(java.time.Instant.ofEpochMilli(NOW)) + "\",")
        .endsWith(noTimestamp.substring(1));
    assertThat(raw.message().timestamp()).isEqualTo(java.time.Instant.ofEpochMilli(NOW));
  }

  @Test
  void aMessageNotJudgedCompleteIsScannedAndMayBeLeftToTheCodec() {
    byte[] refused = utf8("{\"type\":\"track\",\"userId\":\"u\"}"); // a track without an event
    assertThat(RawMessage.ofJudged(refused, false, () -> "id", NOW)).isNull();
  }

  @Test
  void bytesPastTheReadersBoundAreScannedEvenWhenJudgedComplete() {
    String pad = "x".repeat(Message.MAX_MESSAGE_BYTES - WireReader.SIZE_MARGIN);
    byte[] json = utf8(COMPLETE.replace("\"event\":\"E\"", "\"event\":\"E\",\"properties\":{\"p\":\"" + pad + "\"}"));
    // What of() answers for a message this large: left to the codec (null), never taken unjudged.
    assertThat(RawMessage.ofJudged(json, true, () -> "id", NOW)).isNull();
  }
}
