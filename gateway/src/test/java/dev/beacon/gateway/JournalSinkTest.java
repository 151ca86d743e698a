package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static dev.beacon.gateway.GatewayFixture.batch;
import static dev.beacon.gateway.GatewayFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.TrackMessage;
import dev.beacon.SpoolDurability;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The local-journal sink: every event answered 200 arrives at the forward target. */
class JournalSinkTest {
  private static final String FORWARD_KEY = "forward-key";
  @TempDir
  Path dir;
  CollectorServer target;
  Gateway gateway;

  @BeforeEach
  void startTarget() {
    target = CollectorServer.builder().writeKey(FORWARD_KEY).build().start();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(30));
    }
    target.close();
  }

  private void startGateway(SpoolDurability durability) throws Exception {
    JournalSink sink = JournalSink.open(dir.resolve("journal"), target.uri(), FORWARD_KEY, durability);
    gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0).build().start();
  }

  @ParameterizedTest
  @EnumSource(value = SpoolDurability.class, names = {"PROCESS_CRASH", "OS_CRASH"})
  void everyEventAnswered200ArrivesAtTheForwardTarget(SpoolDurability durability) throws Exception {
    startGateway(durability);
    Set<String> acknowledged = new HashSet<>();
    for (int r = 0; r < 20; r++) {
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String id = "m-" + r + "-" + i;
        messages.add("{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\",\"messageId\":\"" + id
            + "\",\"properties\":{\"n\":" + i + "}}");
      }
      HttpResponse<String> answer = post(gateway.uri(), "/v1/batch", batch(messages.toArray(String[]::new)), KEY);
      assertThat(answer.statusCode()).isEqualTo(200);
      for (int i = 0; i < 10; i++) {
        acknowledged.add("m-" + r + "-" + i);
      }
    }
    List<CapturedMessage> got = target.awaitMessages(acknowledged.size(), Duration.ofSeconds(60));
    assertThat(got.stream().map(CapturedMessage::messageId).collect(Collectors.toSet())).isEqualTo(acknowledged);
    assertThat(got).allSatisfy(m -> assertThat(m.get("context.ip")).isEqualTo("127.0.0.1"));
    assertThat(gateway.close(Duration.ofSeconds(30))).isTrue();
  }

  @Test
  void segmentsAnalyticsJavaSendsThroughTheGateway() throws Exception {
    startGateway(SpoolDurability.PROCESS_CRASH);
    List<String> failures = new CopyOnWriteArrayList<>();
    com.segment.analytics.Analytics client = com.segment.analytics.Analytics.builder(KEY)
        .endpoint(gateway.uri().toString())
        .callback(new Callback() {
          @Override
          public void success(Message message) {}

          @Override
          public void failure(Message message, Throwable throwable) {
            failures.add(message.messageId() + ": " + throwable);
          }
        })
        .build();
    try {
      for (int i = 0; i < 50; i++) {
        client.enqueue(TrackMessage.builder("Ordered").userId("user-" + (i % 5)).properties(Map.of("i", i)));
      }
      client.flush();
      List<CapturedMessage> got = target.awaitMessages(50, Duration.ofSeconds(60));
      assertThat(got).allSatisfy(m -> assertThat(m.event()).isEqualTo("Ordered"));
      // Per user, in the order sent.
      for (int u = 0; u < 5; u++) {
        String user = "user-" + u;
        List<Integer> order = got.stream().filter(m -> user.equals(m.userId()))
            .map(m -> ((Number) m.get("properties.i")).intValue()).toList();
        assertThat(order).isSorted().hasSize(10);
      }
    } finally {
      client.shutdown();
    }
    assertThat(failures).isEmpty();
  }

  /**
   * Issue 22, journal fidelity: what an SDK sent reaches the forward target as it was sent — its
   * own {@code context.library}, {@code sentAt}, {@code originalTimestamp}, nested properties,
   * integrations, custom context — with only what the gateway stamps added ({@code receivedAt},
   * {@code context.ip}), and no write key.
   */
  @Test
  void whatTheSdkSentArrivesAtTheForwardTargetUnchangedPlusWhatTheGatewayStamps() throws Exception {
    startGateway(SpoolDurability.PROCESS_CRASH);
    String browser = "{\"type\":\"track\",\"event\":\"Product Viewed\",\"anonymousId\":\"anon-7\","
        + "\"messageId\":\"ajs-next-1\",\"timestamp\":\"2026-12-07T20:00:00.123Z\","
        + "\"sentAt\":\"2026-12-07T20:00:01.002Z\",\"originalTimestamp\":\"2026-12-07T20:00:00.120Z\","
        + "\"writeKey\":\"" + KEY + "\","
        + "\"properties\":{\"price\":19.99,\"sku\":\"A-1\",\"variant\":{\"size\":\"M\",\"tags\":[\"new\",1,true,null]}},"
        + "\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"npm:next-1.70.0\"},"
        + "\"page\":{\"url\":\"https://shop.example/p/1\"},\"userAgent\":\"Mozilla/5.0\",\"locale\":\"en-US\"},"
        + "\"integrations\":{\"All\":true,\"Mixpanel\":false,\"Amplitude\":{\"session_id\":1733601600}}}";
    String server = "{\"type\":\"identify\",\"userId\":\"user-9\",\"messageId\":\"java-sdk-1\","
        + "\"timestamp\":\"2026-12-07T19:59:59Z\",\"sentAt\":\"2026-12-07T20:00:00.5Z\","
        + "\"traits\":{\"email\":\"a@example.com\",\"plan\":{\"name\":\"pro\",\"seats\":12}},"
        + "\"context\":{\"library\":{\"name\":\"analytics-java\",\"version\":\"3.5.4\"},\"ip\":\"198.51.100.4\"}}";
    HttpResponse<String> answer = post(gateway.uri(), "/v1/batch", batch(browser, server), KEY);
    assertThat(answer.statusCode()).isEqualTo(200);
    Map<String, CapturedMessage> got = target.awaitMessages(2, Duration.ofSeconds(60)).stream()
        .collect(Collectors.toMap(CapturedMessage::messageId, m -> m));

    ObjectMapper json = new ObjectMapper();
    JsonNode browserOut = json.valueToTree(got.get("ajs-next-1").json());
    assertThat(browserOut.path("receivedAt").asText()).isNotEmpty();
    assertThat(browserOut.path("context").path("ip").asText()).isEqualTo("127.0.0.1");
    ObjectNode browserExpected = (ObjectNode) json.readTree(browser);
    browserExpected.remove("writeKey"); // a source's key is never forwarded
    browserExpected.put("receivedAt", browserOut.path("receivedAt").asText());
    ((ObjectNode) browserExpected.get("context")).put("ip", "127.0.0.1");
    assertThat(browserOut.equals(NUMERIC, browserExpected)).as("forwarded %s%nsent     %s", browserOut, browserExpected).isTrue();

    JsonNode serverOut = json.valueToTree(got.get("java-sdk-1").json());
    ObjectNode serverExpected = (ObjectNode) json.readTree(server);
    serverExpected.put("receivedAt", serverOut.path("receivedAt").asText()); // context.ip sent by the client stays
    assertThat(serverOut.path("receivedAt").asText()).isNotEmpty();
    assertThat(serverOut.equals(NUMERIC, serverExpected)).as("forwarded %s%nsent     %s", serverOut, serverExpected).isTrue();

    assertThat(browserOut.toString() + serverOut).doesNotContain(KEY).doesNotContain(FORWARD_KEY);
  }

  /** JSON equality with numbers compared by value (19.99 is the same number as a double or a decimal). */
  private static final java.util.Comparator<JsonNode> NUMERIC = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  @Test
  void bufferedDurabilityIsRefusedItWouldAnswerBeforeTheJournalHasTheEvent() {
    assertThatThrownBy(() -> JournalSink.open(dir.resolve("j"), target.uri(), FORWARD_KEY, SpoolDurability.BUFFERED))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BUFFERED");
  }
}
