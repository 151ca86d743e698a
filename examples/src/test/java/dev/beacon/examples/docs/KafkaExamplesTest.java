package dev.beacon.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.transport.kafka.KafkaEventSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * docs/kafka.md's two forms build a client on the Kafka transport (the by-name form finds it
 * through ServiceLoader and reads the endpoint). Nothing is sent: Kafka connects on the first
 * send, so no broker is needed; delivery through a real broker is tested in transport-kafka and
 * relay-kafka.
 */
class KafkaExamplesTest {
  @Test
  void theBuilderFormBuildsAClientOnTheKafkaTransport() {
    Analytics analytics = KafkaExamples.builderForm("127.0.0.1:9092");
    assertThat(analytics.toString()).doesNotContain("unused-by-kafka");
    FlushResult closed = analytics.close(Duration.ofSeconds(30));
    assertThat(closed.complete()).isTrue();
  }

  @Test
  void theByNameFormFindsTheKafkaTransportAndReadsItsEndpoint() {
    Analytics analytics = KafkaExamples.byName("127.0.0.1:9092");
    assertThat(analytics.toString()).contains("kafka://127.0.0.1:9092/beacon-events");
    assertThat(analytics.close(Duration.ofSeconds(30)).complete()).isTrue();
  }

  @Test
  void theGatewaySinkAnswers503OnceClosedAndIsNotReadyWithoutABroker() throws Exception {
    KafkaEventSink sink = KafkaExamples.gatewaySink("127.0.0.1:9");   // nothing listens there
    assertThat(sink.ready()).isFalse();
    assertThat(sink.state()).contains("beacon-events");
    sink.close(Duration.ofSeconds(5));
    byte[] json = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(KafkaExamples.statusOf(sink, json, "u", "web").get(30, TimeUnit.SECONDS)).isEqualTo(503);
  }
}
