package dev.beacon.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.FailureReason;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.Track;
import dev.beacon.internal.Library;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaTransportTest {
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();
  private static final String SECRET = "kafka-test-write-key-do-not-leak";

  private KafkaTransport.Builder transportTo(String topic) {
    return KafkaTransport.builder().bootstrapServers(BROKER.bootstrapServers()).topic(topic);
  }

  @Test
  void writesOneRecordPerMessageWithTheBatchJsonTheUserKeyAndTypeAndVersionHeaders() throws Exception {
    BROKER.createTopic("records", 4);
    List<Message> msgs = List.of(
        Track.builder("Order Completed").userId("user-1").anonymousId("anon-1").properties(Map.of("n", 1)).build(),
        Identify.builder().anonymousId("anon-2").traits(Map.of("plan", "pro")).build());
    Batch batch = Batch.of(msgs);
    try (KafkaTransport t = transportTo("records").build()) {
      assertThat(t.send(batch).get(30, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
    }
    List<ConsumerRecord<byte[], byte[]>> records = BROKER.readAll("records");
    assertThat(records).hasSize(2);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      int i = new String(r.key(), StandardCharsets.UTF_8).equals("user-1") ? 0 : 1;
      assertThat(r.value()).isEqualTo(batch.messageJson(i));
      assertThat(header(r, KafkaTransport.HEADER_TYPE)).isEqualTo(msgs.get(i).type().wireName());
      assertThat(header(r, KafkaTransport.HEADER_VERSION)).isEqualTo(Library.VERSION);
    }
    assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrder("user-1", "anon-2");
  }

  @Test
  void oneUsersEventsShareAPartitionInOrder() throws Exception {
    BROKER.createTopic("order", 4);
    List<Message> msgs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      msgs.add(Track.builder("Step").userId("user-" + (i % 7)).properties(Map.of("i", i)).build());
    }
    try (KafkaTransport t = transportTo("order").build()) {
      assertThat(t.send(Batch.of(msgs)).get(30, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
    }
    Map<String, List<ConsumerRecord<byte[], byte[]>>> byUser = new java.util.HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : BROKER.readAll("order")) {
      byUser.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(r);
    }
    assertThat(byUser).hasSize(7);
    byUser.forEach((user, records) -> {
      assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());
      List<Integer> seq = new ArrayList<>();
      records.forEach(r -> seq.add(((Number) ((Map<?, ?>) dev.beacon.testkit.WireFormat.parseObject(r.value())
          .get("properties")).get("i")).intValue()));
      assertThat(seq).isSorted();
    });
  }

  @Test
  void aRecordTooLargeIsReportedAloneAndTheOthersAreDeliveredOnce() throws Exception {
    BROKER.createTopic("large", 1);
    List<DeliveryException> errors = new CopyOnWriteArrayList<>();
    List<Message> failed = new CopyOnWriteArrayList<>();
    KafkaTransport t = transportTo("large").producerProperty("max.request.size", 4096).build();
    Analytics analytics = Analytics.builder(SECRET).transport(t).flushAt(50).shutdownHook(false)
        .onError((e, m) -> {
          errors.add(e);
          failed.addAll(m);
        }).build();
    Track big = Track.builder("Big").userId("u").properties(Map.of("blob", "x".repeat(8000))).build();
    for (int i = 0; i < 20; i++) {
      analytics.enqueue(Track.builder("Small").userId("u").properties(Map.of("i", i)).build());
      if (i == 10) {
        analytics.enqueue(big);
      }
    }
    assertThat(analytics.close(Duration.ofSeconds(60)).complete()).isTrue();
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).reason()).isEqualTo(FailureReason.TOO_LARGE);
    assertThat(failed).containsExactly(big);
    assertThat(analytics.stats().delivered()).isEqualTo(20);
    List<ConsumerRecord<byte[], byte[]>> records = BROKER.readAll("large");
    assertThat(records).hasSize(20);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains("\"Small\"").doesNotContain(SECRET);
      for (Header h : r.headers()) {
        assertThat(new String(h.value(), StandardCharsets.UTF_8)).doesNotContain(SECRET);
      }
    }
  }

  @Test
  void anUnreachableBrokerIsRetryable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (KafkaTransport t = KafkaTransport.builder().bootstrapServers("127.0.0.1:" + port).topic("nowhere")
        .producerProperty("max.block.ms", 300).build()) {
      SendResult r = t.send(Batch.of(List.of(Track.builder("E").userId("u").build()))).get(30, TimeUnit.SECONDS);
      assertThat(r.outcome()).isEqualTo(SendResult.Outcome.RETRYABLE);
      assertThat(r.detail()).contains("1 of 1");
    }
  }

  @Test
  void authorizationAndAuthenticationErrorsArePermanentOthersRetryable() {
    assertThat(KafkaTransport.isPermanent(new TopicAuthorizationException("no"))).isTrue();
    assertThat(KafkaTransport.isPermanent(new SaslAuthenticationException("no"))).isTrue();
    assertThat(KafkaTransport.isPermanent(new NotLeaderOrFollowerException("moved"))).isFalse();
    assertThat(KafkaTransport.isPermanent(new TimeoutException("slow"))).isFalse();
  }

  @Test
  void isFoundByNameAndReadsAKafkaEndpoint() throws Exception {
    BROKER.createTopic("by-name", 1);
    URI endpoint = URI.create("kafka://" + BROKER.bootstrapServers() + "/by-name?linger.ms=1");
    Analytics analytics = Analytics.builder(SECRET).endpoint(endpoint).transportName("kafka").shutdownHook(false)
        .build();
    analytics.track("user-9", "Named");
    assertThat(analytics.close(Duration.ofSeconds(30)).complete()).isTrue();
    assertThat(analytics.stats().delivered()).isEqualTo(1);
    assertThat(BROKER.readAll("by-name")).hasSize(1);
  }

  @Test
  void theProviderRefusesAnHttpEndpointNamingTheFix() {
    assertThatThrownBy(() -> KafkaTransportProvider.fromEndpoint(URI.create("https://api.segment.io")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kafka://host:port/topic");
  }

  @Test
  void builderValidatesEachOptionByName() {
    assertThatThrownBy(() -> KafkaTransport.builder().topic("t").build())
        .hasMessageContaining("bootstrapServers");
    assertThatThrownBy(() -> KafkaTransport.builder().bootstrapServers("h:1").topic("bad topic!").build())
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> KafkaTransport.builder().bootstrapServers("h:1").topic("t")
        .producerProperty("value.serializer", "x").build()).hasMessageContaining("value.serializer");
    assertThatThrownBy(() -> KafkaTransport.builder().bootstrapServers("h:1").topic("t")
        .producerProperty("acks", "sometimes").build()).hasMessageContaining("acks");
    assertThatThrownBy(() -> KafkaTransport.builder().bootstrapServers("h:1").topic("t")
        .maxConcurrentRequests(0).build()).hasMessageContaining("maxConcurrentRequests");
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
