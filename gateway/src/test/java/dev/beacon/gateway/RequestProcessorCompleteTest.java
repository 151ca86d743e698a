package dev.beacon.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Message;
import dev.beacon.internal.MessageCodec;
import dev.beacon.internal.WireReader;
import dev.beacon.wire.SegmentApi;
import dev.beacon.wire.SegmentRequests;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which accepted messages the gateway hands the journal as complete ({@link Sink.Event#complete()},
 * taken without a second scan by {@code RawMessage.ofJudged}): an SDK's usual message is; one lacking
 * a field the engine completes, or of a shape the gateway's check does not hold to the engine's rules,
 * is not. Every message marked complete is one the engine's codec accepts as it is (same id, same
 * time), so nothing the journal takes unjudged could be refused later.
 */
class RequestProcessorCompleteTest {
  private static final String TS = "\"timestamp\":\"2026-12-07T20:00:00.123Z\"";
  private static final String LIB = "\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"1\"}}";

  private static String nested(int levels) {
    return "{\"a\":".repeat(levels) + "1" + "}".repeat(levels);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      an SDK's track                     | true  | {"type":"track","event":"E","userId":"u",TS,LIB,"properties":{"total":129.95,"items":3}}
      no messageId (the gateway sets one)| true  | {"type":"identify","anonymousId":"a",TS,LIB,"traits":{"plan":"pro"}}
      a numeric userId (made a string)   | true  | {"type":"track","event":"E","userId":42,TS,LIB}
      an exponent decimal                | true  | {"type":"track","event":"E","userId":"u",TS,LIB,"properties":{"x":1e3,"y":-2.5E-7}}
      a page with a string category      | true  | {"type":"page","userId":"u","name":"Home","category":"c",TS,LIB}
      a group                            | true  | {"type":"group","userId":"u","groupId":7,TS,LIB,"traits":{}}
      an alias                           | true  | {"type":"alias","userId":"u","previousId":"p",TS,LIB}
      32 levels deep                     | true  | {"type":"track","event":"E","userId":"u",TS,LIB,"properties":NESTED31}
      no timestamp                       | false | {"type":"track","event":"E","userId":"u",LIB}
      a lower-case timestamp             | false | {"type":"track","event":"E","userId":"u","timestamp":"2026-12-07t20:00:00z",LIB}
      a timestamp without a zone         | false | {"type":"track","event":"E","userId":"u","timestamp":"2026-12-07T20:00:00",LIB}
      a timestamp without seconds        | false | {"type":"track","event":"E","userId":"u","timestamp":"2026-12-07T20:00Z",LIB}
      no context                         | false | {"type":"track","event":"E","userId":"u",TS}
      no library                         | false | {"type":"track","event":"E","userId":"u",TS,"context":{"ip":"1.2.3.4"}}
      a library that is not an object    | false | {"type":"track","event":"E","userId":"u",TS,"context":{"library":"x"}}
      a page with a numeric category     | false | {"type":"page","userId":"u","category":5,TS,LIB}
      33 levels deep                     | false | {"type":"track","event":"E","userId":"u",TS,LIB,"properties":NESTED32}
      """)
  void anAcceptedMessageIsCompleteOnlyWhenTheEngineTakesItAsItIs(String what, boolean complete, String message)
      throws Exception {
    String json = message.replace("TS", TS).replace("LIB", LIB).replace("NESTED31", nested(31))
        .replace("NESTED32", nested(32));
    RequestProcessor p = new RequestProcessor(key -> null, SegmentRequests.Limits.SEGMENT, false, System::nanoTime);
    WriteKeys.Source source = new WriteKeys.Source("web", null);
    RequestProcessor.Outcome o = p.process(new RequestProcessor.Request(SegmentApi.route("/v1/batch"), null, source,
        "10.0.0.1"), ("{\"batch\":[" + json + "]}").getBytes(StandardCharsets.UTF_8));
    assertThat(o.status()).as(o.message()).isEqualTo(200);
    List<Sink.Event> events = o.events();
    assertThat(events).hasSize(1);
    Sink.Event e = events.get(0);
    assertThat(e.complete()).isEqualTo(complete);
    if (e.complete()) {
      Message m = MessageCodec.decode(e.json(), 0, e.json().length);
      assertThat(m.timestamp()).hasToString("2026-12-07T20:00:00.123Z");
      assertThat(m.messageId()).isNotBlank();
      assertThat(new String(e.json(), StandardCharsets.UTF_8)).contains("\"receivedAt\"", "\"ip\":\"10.0.0.1\"");
      if (!what.contains("exponent")) {
        // The reader the journal would otherwise scan with passes it on unchanged too.
        assertThat(WireReader.read(e.json(), 0, e.json().length)).isEqualTo(WireReader.Verdict.AS_IS);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void theWriterWritesWhatJacksonWrites() throws Exception {
    String body = "{\"context\":{\"library\":{\"name\":\"batch\"},\"page\":{\"path\":\"/\",\"title\":\"t\"}},"
        + "\"integrations\":{\"All\":false},\"batch\":["
        + "{\"type\":\"track\",\"event\":\"E \\u2028 \\u0001 \\ud83d\\ude00 é\",\"userId\":123456789012345678901234567890,"
        + TS + ",\"context\":{\"page\":{\"path\":\"/x\"},\"ip\":null},\"properties\":{\"i\":1,\"l\":12345678901,"
        + "\"big\":123456789012345678901234567890,\"d\":129.95,\"e\":1e3,\"small\":-2.5E-7,\"z\":0.0,\"t\":true,"
        + "\"f\":false,\"n\":null,\"a\":[1,[2,[{}]],\"s\",[]],\"o\":{}}},"
        + "{\"type\":\"identify\",\"anonymousId\":\"a\",\"traits\":{\"lone\":\"\\ud800\"}}]}";
    SegmentRequests.Parsed parsed = SegmentRequests.parseBatch(body.getBytes(StandardCharsets.UTF_8));
    SegmentRequests.check(parsed, null, SegmentRequests.Limits.SEGMENT, false, (kind, text) -> { });
    com.fasterxml.jackson.databind.ObjectMapper jackson = new com.fasterxml.jackson.databind.ObjectMapper();
    for (java.util.Map<String, Object> m : parsed.messages) {
      RequestProcessor.JsonWriter w = new RequestProcessor.JsonWriter();
      assertThat(new String(w.write(m), StandardCharsets.UTF_8))
          .isEqualTo(new String(jackson.writeValueAsBytes(m), StandardCharsets.UTF_8));
    }
  }
}
