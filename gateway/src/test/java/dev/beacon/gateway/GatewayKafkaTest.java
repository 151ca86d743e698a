package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static dev.beacon.gateway.GatewayFixture.batch;
import static dev.beacon.gateway.GatewayFixture.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.WireFormat;
import dev.beacon.transport.kafka.KafkaEventSink;
import dev.beacon.transport.kafka.testing.Await;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway with the Kafka sink on a real KRaft broker: a 200 only for events Kafka acknowledged,
 * in the record layout {@code beacon relay} reads; the broker stopped → 503 with Retry-After and
 * {@code /ready} 503, never a 200; the broker back → 200s resume and nothing answered 200 is missing.
 */
class GatewayKafkaTest {
  @RegisterExtension
  static final KafkaBroker BROKER = KafkaBroker.withoutTopicAutoCreation();
  private static final String TOPIC = "gateway-events";
  private static final Duration GUARD = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  @Test
  void answers200OnlyForWhatKafkaAcknowledgedAcrossABrokerStop() throws Exception {
    BROKER.createTopic(TOPIC, 2);
    KafkaSink sink = new KafkaSink(KafkaEventSink.builder().bootstrapServers(BROKER.bootstrapServers()).topic(TOPIC)
        .ackTimeout(Duration.ofSeconds(2)).build());
    Gateway gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0).build().start();
    Set<String> acknowledged = new HashSet<>();
    int[] seq = {0};
    try {
      // Broker up: every batch is answered 200 once Kafka has it.
      for (int r = 0; r < 10; r++) {
        assertThat(send(gateway, acknowledged, seq).statusCode()).isEqualTo(200);
      }
      Map<String, ConsumerRecord<byte[], byte[]>> records = byId(BROKER.read(TOPIC, acknowledged.size(),
          GUARD));
      assertThat(records.keySet()).containsAll(acknowledged);
      ConsumerRecord<byte[], byte[]> first = records.values().iterator().next();
      Map<String, Object> m = WireFormat.parseObject(first.value());
      assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo(m.get("userId"));
      assertThat(header(first, KafkaEventSink.HEADER_SOURCE)).isEqualTo("web");
      assertThat(header(first, "beacon.type")).isEqualTo("track");
      assertThat(m).containsKeys("receivedAt", "messageId").doesNotContainKey("writeKey");
      assertThat(new String(first.value(), StandardCharsets.UTF_8)).doesNotContain(KEY);

      // Broker stopped: no 200 for anything Kafka did not acknowledge; /ready says so.
      BROKER.stopBroker();
      List<Integer> whileDown = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        HttpResponse<String> answer = send(gateway, acknowledged, seq);
        whileDown.add(answer.statusCode());
        if (answer.statusCode() == 503) {
          assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        }
      }
      assertThat(whileDown).containsOnly(503);
      Await.until(GUARD, () -> ready(gateway) == 503, () -> "gateway still ready; sink " + sink.state());

      // Broker back: 200s resume.
      BROKER.startBroker();
      Await.until(GUARD, () -> send(gateway, acknowledged, seq).statusCode() == 200,
          () -> "no 200 after the broker came back; sink " + sink.state());
      Await.until(GUARD, () -> ready(gateway) == 200, () -> "gateway not ready; sink " + sink.state());
    } finally {
      assertThat(gateway.close(Duration.ofSeconds(30))).isTrue();
    }
    Set<String> inTopic = byId(BROKER.readAll(TOPIC)).keySet();
    Set<String> missing = new HashSet<>(acknowledged);
    missing.removeAll(inTopic);
    assertThat(missing).as("events answered 200 but missing from the topic (of %d)", acknowledged.size()).isEmpty();
  }

  /** Posts a batch of 10 new events; when answered 200, adds their ids to {@code acknowledged}. */
  private static HttpResponse<String> send(Gateway gateway, Set<String> acknowledged, int[] seq) throws Exception {
    List<String> messages = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String id = "k-" + seq[0]++;
      ids.add(id);
      messages.add("{\"type\":\"track\",\"userId\":\"u" + (i % 3) + "\",\"event\":\"E\",\"messageId\":\"" + id
          + "\",\"context\":{\"library\":{\"name\":\"test\",\"version\":\"1\"}}}");
    }
    HttpResponse<String> answer = post(gateway.uri(), "/v1/batch", batch(messages.toArray(String[]::new)), KEY);
    if (answer.statusCode() == 200) {
      acknowledged.addAll(ids);
    }
    return answer;
  }

  private static int ready(Gateway gateway) throws Exception {
    return GatewayFixture.send(HttpRequest.newBuilder(gateway.uri().resolve("/ready")).timeout(Duration.ofSeconds(30))
        .GET().build()).statusCode();
  }

  private static Map<String, ConsumerRecord<byte[], byte[]>> byId(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, ConsumerRecord<byte[], byte[]>> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.putIfAbsent((String) WireFormat.parseObject(r.value()).get("messageId"), r);
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
