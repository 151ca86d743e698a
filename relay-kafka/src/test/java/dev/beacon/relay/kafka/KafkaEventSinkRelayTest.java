package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.RetryPolicy;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.WireFormat;
import dev.beacon.transport.http.HttpTransport;
import dev.beacon.transport.kafka.KafkaEventSink;
import dev.beacon.transport.kafka.KafkaEventSink.Event;
import dev.beacon.transport.kafka.testing.ArrivalOrder;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the gateway's Kafka sink writes, {@code beacon relay} delivers unchanged: every message
 * reaches the collector once at least, equal to what the sink was given, in each user's order.
 */
class KafkaEventSinkRelayTest {
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();
  private static final String KEY = "sink-relay-write-key";
  private static final Duration GUARD = Duration.ofSeconds(90);
  private static final String[] TYPES = {"identify", "track", "page", "screen", "group", "alias"};

  @Test
  void theRelayDeliversEveryMessageTheSinkWroteUnchanged() throws Exception {
    BROKER.createTopic("gateway", 3);
    BROKER.createTopic("gateway.dlq", 1);
    int users = 12;
    int perUser = 60;
    Map<String, byte[]> sent = new HashMap<>();
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(BROKER.bootstrapServers()).topic("gateway")
        .build()) {
      List<CompletableFuture<Void>> calls = new ArrayList<>();
      for (int seq = 0; seq < perUser; seq++) {
        List<Event> events = new ArrayList<>();
        for (int u = 0; u < users; u++) {
          boolean anonymous = u % 4 == 3;
          String type = TYPES[(seq + u) % TYPES.length];
          if (anonymous && type.equals("alias")) {
            type = "track";   // an alias names the user it merges into
          }
          String who = (anonymous ? "anon-" : "user-") + u;
          String id = "sink-" + u + "-" + seq;
          byte[] json = message(type, anonymous ? "anonymousId" : "userId", who, seq, id);
          sent.put(id, json);
          events.add(new Event(json, type, who, u % 2 == 0 ? "web" : "ios"));
        }
        calls.add(sink.append(events));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(GUARD.toSeconds(), TimeUnit.SECONDS);
    }

    try (CollectorServer collector = CollectorServer.builder().writeKey(KEY).build().start()) {
      KafkaRelay relay = KafkaRelay.builder().bootstrapServers(BROKER.bootstrapServers()).topic("gateway")
          .groupId("gateway-relay").transport(HttpTransport.builder(KEY).endpoint(collector.uri()).build())
          .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(200))
              .maxRetries(Integer.MAX_VALUE).build())
          .linger(Duration.ofMillis(50)).commitInterval(Duration.ofMillis(200)).build().start();
      try {
        Await.until(GUARD, () -> collector.stats().distinctMessageIds() >= sent.size(),
            () -> "collector " + collector.stats() + ", relay " + relay.stats());
        List<CapturedMessage> arrivals = collector.messages();
        Map<String, Map<String, Object>> got = new HashMap<>();
        arrivals.forEach(m -> got.putIfAbsent(m.messageId(), m.json()));
        assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
        sent.forEach((id, json) -> assertThat(got.get(id)).as("message %s as delivered", id)
            .isEqualTo(WireFormat.parseObject(json)));
        assertThat(relay.stats().deadLettered()).isZero();
        List<CapturedMessage> tracks = new ArrayList<>();
        for (CapturedMessage m : arrivals) {
          if (m.userId() != null) {
            tracks.add(m);
          }
        }
        ArrivalOrder.assertFirstArrivalsInOrder(tracks, users - users / 4, perUser, BROKER.bootstrapServers(),
            "gateway");
      } finally {
        relay.close(Duration.ofSeconds(10));
      }
    }
  }

  /** A Segment message as a gateway hands it to the sink: normalized, with messageId, timestamp and library. */
  private static byte[] message(String type, String idField, String who, int seq, String messageId) {
    String specific = switch (type) {
      case "track" -> "\"event\":\"Step\",";
      case "page", "screen" -> "\"name\":\"Home\",";
      case "group" -> "\"groupId\":\"acme\",";
      case "alias" -> "\"previousId\":\"prev-" + who + "\",";
      default -> "\"traits\":{\"plan\":\"pro\"},";
    };
    return ("{\"type\":\"" + type + "\"," + specific + "\"" + idField + "\":\"" + who + "\",\"properties\":{\"seq\":"
        + seq + "},\"messageId\":\"" + messageId + "\",\"timestamp\":\"2026-12-07T17:00:00.000Z\","
        + "\"receivedAt\":\"2026-12-07T17:00:00.123Z\",\"context\":{\"ip\":\"203.0.113.9\",\"library\":"
        + "{\"name\":\"analytics.js\",\"version\":\"1.0.0\"}}}").getBytes(StandardCharsets.UTF_8);
  }
}
