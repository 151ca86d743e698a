package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Alias;
import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.Page;
import dev.beacon.Screen;
import dev.beacon.Track;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exact bytes {@link MessageSerializer} writes for every message type, every optional field
 * set, as they were before its field names were pre-encoded (issue 23 §1): that change is for speed
 * only, and the wire format must not move by a byte.
 */
class MessageSerializerGoldenTest {
  private static final Instant AT = Instant.parse("2026-12-08T02:45:00.123Z");
  private static final Map<String, Object> PROPS = props();
  private static final Map<String, Object> CONTEXT = Map.of("ip", "203.0.113.9");
  private static final Map<String, Object> INTEGRATIONS = Map.of("All", false);

  private static Map<String, Object> props() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("revenue", 12.5);
    m.put("n", 3);
    m.put("tags", List.of("a", "é\"q"));
    m.put("nested", Map.of("ok", true));
    return m;
  }

  @Test
  void everyMessageTypeIsWrittenByteForByteAsBefore() {
    String lib = "\"library\":" + MessageSerializer.library();
    String common = "\"messageId\":\"m-1\",\"timestamp\":\"2026-12-08T02:45:00.123Z\",\"userId\":\"u-1\","
        + "\"anonymousId\":\"a-1\",";
    String tail = "\"context\":{\"ip\":\"203.0.113.9\"," + lib + "},\"integrations\":{\"All\":false}}";
    String props = "{\"revenue\":12.5,\"n\":3,\"tags\":[\"a\",\"é\\\"q\"],\"nested\":{\"ok\":true}}";

    assertThat(json(Track.builder("Order \"Completed\"").properties(PROPS)))
        .isEqualTo("{\"type\":\"track\"," + common + "\"event\":\"Order \\\"Completed\\\"\",\"properties\":" + props
            + "," + tail);
    assertThat(json(Identify.builder().traits(PROPS)))
        .isEqualTo("{\"type\":\"identify\"," + common + "\"traits\":" + props + "," + tail);
    assertThat(json(Page.builder().name("Home").category("Docs").properties(PROPS)))
        .isEqualTo("{\"type\":\"page\"," + common + "\"name\":\"Home\",\"category\":\"Docs\",\"properties\":" + props
            + "," + tail);
    assertThat(json(Screen.builder().name("Cart").properties(PROPS)))
        .isEqualTo("{\"type\":\"screen\"," + common + "\"name\":\"Cart\",\"properties\":" + props + "," + tail);
    assertThat(json(Group.builder("g-1").traits(PROPS)))
        .isEqualTo("{\"type\":\"group\"," + common + "\"groupId\":\"g-1\",\"traits\":" + props + "," + tail);
    assertThat(json(Alias.builder("p-1")))
        .isEqualTo("{\"type\":\"alias\"," + common + "\"previousId\":\"p-1\"," + tail);
  }

  private static String json(Message.Builder<?, ?> b) {
    Message m = b.messageId("m-1").timestamp(AT).userId("u-1").anonymousId("a-1").context(CONTEXT)
        .integrations(INTEGRATIONS).build();
    return new String(MessageSerializer.toBytes(m), StandardCharsets.UTF_8);
  }
}
