package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.RetryPolicy;
import dev.beacon.Track;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.ServerFault;
import dev.beacon.transport.http.HttpTransport;
import dev.beacon.transport.kafka.KafkaTransport;
import dev.beacon.transport.kafka.testing.ArrivalOrder;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaRelayTest {
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();
  private static final String KEY = "relay-test-write-key";
  private static final Duration GUARD = Duration.ofSeconds(90);
  private static final RetryPolicy FAST = RetryPolicy.builder().baseDelay(Duration.ofMillis(20))
      .maxDelay(Duration.ofMillis(200)).maxRetries(Integer.MAX_VALUE).build();

  private CollectorServer collector;
  private final List<KafkaRelay> relays = new ArrayList<>();

  @BeforeEach
  void startCollector() {
    collector = CollectorServer.builder().writeKey(KEY).build().start();
  }

  @AfterEach
  void stop() {
    for (KafkaRelay r : relays) {
      r.close(Duration.ofSeconds(10));
    }
    collector.close();
  }

  private KafkaRelay relay(String topic, String group) {
    KafkaRelay r = KafkaRelay.builder()
        .bootstrapServers(BROKER.bootstrapServers())
        .topic(topic)
        .groupId(group)
        .transport(HttpTransport.builder(KEY).endpoint(collector.uri()).responseTimeout(Duration.ofSeconds(5))
            .build())
        .retryPolicy(FAST)
        .linger(Duration.ofMillis(50))
        .commitInterval(Duration.ofMillis(200))
        .consumerProperty("max.poll.records", 1000)
        .build();
    relays.add(r);
    return r;
  }

  private Analytics app(String topic) {
    return Analytics.builder(KEY)
        .transport(KafkaTransport.builder().bootstrapServers(BROKER.bootstrapServers()).topic(topic).build())
        .flushAt(250).shutdownHook(false).build();
  }

  @Test
  void everyMessageArrivesInEachUsersOrderThroughTwoRelaysDespiteFaults() throws Exception {
    BROKER.createTopic("events", 4);
    BROKER.createTopic("events.dlq", 1);
    collector.failNext(2, ServerFault.status(503))
        .failNext(1, ServerFault.status(429).withRetryAfterSeconds(1))
        .failNext(1, ServerFault.dropConnection())
        .failRandomly(0.05, ServerFault.status(500))
        .failRandomly(0.05, ServerFault.dropConnection());
    KafkaRelay a = relay("events", "relays").start();
    KafkaRelay b = relay("events", "relays").start();
    int users = 40;
    int perUser = 150;
    Map<String, String> userOf = new HashMap<>();
    try (Analytics app = app("events")) {
      for (int i = 0; i < perUser; i++) {
        for (int u = 0; u < users; u++) {
          Track t = Track.builder("Step").userId("user-" + u).properties(Map.of("seq", i)).build();
          userOf.put(t.messageId(), "user-" + u);
          assertThat(app.enqueue(t)).isTrue();
        }
      }
      assertThat(app.flush(Duration.ofSeconds(60)).complete()).isTrue();
    }
    int total = users * perUser;
    Await.until(GUARD, () -> collector.stats().distinctMessageIds() >= total,
        () -> "collector has " + collector.stats() + "; relays " + a.stats() + " / " + b.stats());

    // Every message once at least; per user, the first arrival of each message is in sequence order.
    List<CapturedMessage> arrivals = collector.messages();
    Set<String> seen = new LinkedHashSet<>();
    arrivals.forEach(m -> seen.add(m.messageId()));
    assertThat(seen).containsExactlyInAnyOrderElementsOf(userOf.keySet());
    ArrivalOrder.assertFirstArrivalsInOrder(arrivals, users, perUser, BROKER.bootstrapServers(), "events");
    assertThat(collector.stats().faultsInjected()).isGreaterThanOrEqualTo(4);
    assertThat(a.stats().retries() + b.stats().retries()).isGreaterThanOrEqualTo(4);
    assertThat(a.stats().consumed() + b.stats().consumed()).isGreaterThanOrEqualTo(total);

    // Offsets advance to the end of every partition once everything is settled.
    Map<Integer, Long> end = BROKER.endOffsets("events");
    Await.until(GUARD, () -> BROKER.committed("relays", "events").equals(end),
        () -> "committed " + uncheckedCommitted("relays", "events") + " vs end " + end);
    assertThat(a.stats().deadLettered() + b.stats().deadLettered()).isZero();
    assertThat(a.close(Duration.ofSeconds(10))).isTrue();
    assertThat(b.close(Duration.ofSeconds(10))).isTrue();
  }

  /**
   * A second relay joins while the first holds queued batches: the first hands its partitions
   * back (the eager protocol revokes them all, then gives some back). Nothing may be skipped and
   * each user's first arrivals stay in order.
   */
  @Test
  void aRebalanceWhileBatchesAreQueuedSkipsNothingAndKeepsEachUsersOrder() throws Exception {
    BROKER.createTopic("rebalance", 4);
    BROKER.createTopic("rebalance.dlq", 1);
    int users = 40;
    int perUser = 200;
    try (Analytics app = app("rebalance")) {
      for (int i = 0; i < perUser; i++) {
        for (int u = 0; u < users; u++) {
          app.enqueue(Track.builder("Step").userId("user-" + u).properties(Map.of("seq", i)).build());
        }
      }
      assertThat(app.flush(Duration.ofSeconds(60)).complete()).isTrue();
    }
    int total = users * perUser;
    collector.failRandomly(1.0, ServerFault.delay(Duration.ofMillis(30)));
    KafkaRelay a = KafkaRelay.builder().bootstrapServers(BROKER.bootstrapServers()).topic("rebalance")
        .groupId("rebalancing").transport(HttpTransport.builder(KEY).endpoint(collector.uri()).build())
        .retryPolicy(FAST).linger(Duration.ofMillis(10)).maxBatchMessages(50).commitInterval(Duration.ofMillis(100))
        .build();
    relays.add(a);
    a.start();
    Await.until(GUARD, () -> a.stats().delivered() >= 500 && a.stats().bufferedRecords() > 500,
        () -> "first relay: " + a.stats());
    KafkaRelay b = relay("rebalance", "rebalancing").start();
    Await.until(GUARD, () -> b.stats().assignedPartitions() > 0, () -> "second relay: " + b.stats());
    collector.clearFaults();
    Await.until(GUARD, () -> collector.stats().distinctMessageIds() >= total,
        () -> "collector " + collector.stats() + "; relays " + a.stats() + " / " + b.stats());
    ArrivalOrder.assertFirstArrivalsInOrder(collector.messages(), users, perUser, BROKER.bootstrapServers(),
        "rebalance");
    Map<Integer, Long> end = BROKER.endOffsets("rebalance");
    Await.until(GUARD, () -> BROKER.committed("rebalancing", "rebalance").equals(end),
        () -> "committed " + uncheckedCommitted("rebalancing", "rebalance") + " vs end " + end);
  }

  @Test
  void aBatchAnswered400GoesToTheDeadLetterTopicWithReasonsAndOffsetsAdvance() throws Exception {
    BROKER.createTopic("refused", 1);
    BROKER.createTopic("refused.dlq", 1);
    try (Analytics app = app("refused")) {
      for (int i = 0; i < 30; i++) {
        app.track("user-" + i, "Refused", Map.of("i", i));
      }
      assertThat(app.flush(Duration.ofSeconds(30)).complete()).isTrue();
    }
    collector.failNext(1, ServerFault.status(400).withBody("{\"code\":\"invalid_request\"}"));
    KafkaRelay r = relay("refused", "refusing").start();
    List<ConsumerRecord<byte[], byte[]>> dead = BROKER.read("refused.dlq", 30, GUARD);
    assertThat(dead).hasSize(30);
    for (ConsumerRecord<byte[], byte[]> d : dead) {
      assertThat(header(d, KafkaRelay.HEADER_REASON)).isEqualTo("REJECTED");
      assertThat(header(d, KafkaRelay.HEADER_STATUS)).isEqualTo("400");
      assertThat(header(d, KafkaRelay.HEADER_TIME)).isNotBlank();
      assertThat(header(d, KafkaRelay.HEADER_TOPIC)).isEqualTo("refused");
      assertThat(header(d, KafkaRelay.HEADER_DETAIL)).doesNotContain(KEY);
      assertThat(new String(d.value(), StandardCharsets.UTF_8)).contains("\"Refused\"");
    }
    Await.until(GUARD, () -> BROKER.committed("refusing", "refused").equals(Map.of(0, 30L)),
        () -> "committed " + uncheckedCommitted("refusing", "refused"));
    assertThat(r.stats().deadLettered()).isEqualTo(30);
    assertThat(r.stats().delivered()).isZero();
    assertThat(collector.stats().distinctMessageIds()).isZero();
  }

  @Test
  void invalidRecordsGoToTheDeadLetterTopicWithTheValidationErrorAndTheRestIsDelivered() throws Exception {
    BROKER.createTopic("mixed", 1);
    BROKER.createTopic("mixed-dead", 1);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      send(producer, "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Good 1\"}");
      send(producer, "not json at all");
      send(producer, "{\"type\":\"track\",\"userId\":\"u1\"}");
      send(producer, "{\"type\":\"track\",\"event\":\"No ids\"}");
      send(producer, "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Good 2\",\"messageId\":\"m-2\"}");
      producer.flush();
    }
    KafkaRelay r = KafkaRelay.builder().bootstrapServers(BROKER.bootstrapServers()).topic("mixed")
        .deadLetterTopic("mixed-dead").groupId("mixed-group")
        .transport(HttpTransport.builder(KEY).endpoint(collector.uri()).build())
        .linger(Duration.ofMillis(20)).build();
    relays.add(r);
    r.start();
    List<ConsumerRecord<byte[], byte[]>> dead = BROKER.read("mixed-dead", 3, GUARD);
    assertThat(dead).hasSize(3);
    assertThat(dead).allSatisfy(d -> assertThat(header(d, KafkaRelay.HEADER_REASON)).isEqualTo("INVALID"));
    assertThat(dead).extracting(d -> header(d, KafkaRelay.HEADER_OFFSET)).containsExactly("1", "2", "3");
    assertThat(header(dead.get(0), KafkaRelay.HEADER_DETAIL)).contains("JSON");
    assertThat(header(dead.get(1), KafkaRelay.HEADER_DETAIL)).contains("event");
    assertThat(header(dead.get(2), KafkaRelay.HEADER_DETAIL)).containsIgnoringCase("userId");
    List<CapturedMessage> got = collector.awaitMessages(2, GUARD);
    assertThat(got).extracting(CapturedMessage::event).containsExactly("Good 1", "Good 2");
    assertThat(got.get(1).messageId()).isEqualTo("m-2");
    Await.until(GUARD, () -> BROKER.committed("mixed-group", "mixed").equals(Map.of(0, 5L)),
        () -> "committed " + uncheckedCommitted("mixed-group", "mixed"));
    RelayStats s = r.stats();
    assertThat(s.consumed()).isEqualTo(5);
    assertThat(s.delivered()).isEqualTo(2);
    assertThat(s.invalid()).isEqualTo(3);
    assertThat(s.deadLettered()).isEqualTo(3);
  }

  /**
   * Issue 26, item 1: a 60-byte record whose numeric userId expands without limit
   * ({@code toPlainString()} of {@code 1e2147483647}) killed the consumer thread, so nothing was
   * delivered or committed. Each poison record is now dead-lettered with its reason and the
   * records around it are delivered.
   */
  @Test
  void poisonRecordsWithHugeNumericIdsAreDeadLetteredAndTheRecordsAroundThemDelivered() throws Exception {
    BROKER.createTopic("poison", 1);
    BROKER.createTopic("poison-dead", 1);
    List<String> poison = List.of(
        "{\"type\":\"identify\",\"userId\":1e2147483647,\"messageId\":\"x\"}",
        "{\"type\":\"identify\",\"userId\":1e999999999,\"messageId\":\"y\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"x\":1.5e-2147483648}}");
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < 100; i++) {
        send(producer, "poison", "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Before " + i + "\"}");
      }
      for (String bad : poison) {
        send(producer, "poison", bad);
      }
      for (int i = 0; i < 100; i++) {
        send(producer, "poison", "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"After " + i + "\"}");
      }
      producer.flush();
    }
    KafkaRelay r = KafkaRelay.builder().bootstrapServers(BROKER.bootstrapServers()).topic("poison")
        .deadLetterTopic("poison-dead").groupId("poison-group")
        .transport(HttpTransport.builder(KEY).endpoint(collector.uri()).build())
        .linger(Duration.ofMillis(20)).commitInterval(Duration.ofMillis(200)).build();
    relays.add(r);
    r.start();
    List<ConsumerRecord<byte[], byte[]>> dead = BROKER.read("poison-dead", 3, GUARD);
    assertThat(dead).extracting(d -> header(d, KafkaRelay.HEADER_REASON)).containsOnly("INVALID");
    assertThat(dead).extracting(d -> header(d, KafkaRelay.HEADER_OFFSET)).containsExactly("100", "101", "102");
    assertThat(dead).extracting(d -> new String(d.value(), StandardCharsets.UTF_8))
        .containsExactlyElementsOf(poison);
    assertThat(header(dead.get(0), KafkaRelay.HEADER_DETAIL)).startsWith("userId: the number 1E+2147483647 is out"
        + " of range");
    assertThat(header(dead.get(1), KafkaRelay.HEADER_DETAIL)).startsWith("userId: the number 1E+999999999 is out"
        + " of range");
    assertThat(header(dead.get(2), KafkaRelay.HEADER_DETAIL)).startsWith("properties.x: the number"
        + " 1.5e-2147483648 is out of range");
    List<CapturedMessage> got = collector.awaitMessages(200, GUARD);
    assertThat(got).extracting(CapturedMessage::event).hasSize(200).contains("Before 0", "Before 99", "After 0",
        "After 99");
    Await.until(GUARD, () -> BROKER.committed("poison-group", "poison").equals(Map.of(0, 203L)),
        () -> "committed " + uncheckedCommitted("poison-group", "poison"));
    assertThat(r.stats().invalid()).isEqualTo(3);
    assertThat(r.stats().delivered()).isEqualTo(200);
  }

  @Test
  void pausesPartitionsWhileTheApiIsDownAndHoldsNoMoreThanItsBoundThenDeliversEverything() throws Exception {
    BROKER.createTopic("backlog", 2);
    BROKER.createTopic("backlog.dlq", 1);
    int total = 6000;
    try (Analytics app = app("backlog")) {
      for (int i = 0; i < total; i++) {
        app.track("user-" + (i % 20), "Backlog", Map.of("i", i, "padding", "p".repeat(200)));
      }
      assertThat(app.flush(Duration.ofSeconds(60)).complete()).isTrue();
    }
    collector.failRandomly(1.0, ServerFault.status(503));
    long bound = 1 << 20;
    KafkaRelay r = KafkaRelay.builder().bootstrapServers(BROKER.bootstrapServers()).topic("backlog")
        .groupId("backlog-group")
        .transport(HttpTransport.builder(KEY).endpoint(collector.uri()).build())
        .retryPolicy(FAST).linger(Duration.ofMillis(20)).maxBufferedBytes(bound)
        .consumerProperty("max.poll.records", 100)
        .build();
    relays.add(r);
    r.start();
    Await.until(GUARD, () -> r.stats().pausedPartitions() == 2, () -> "not paused: " + r.stats());
    // Paused: a poll may still return what was fetched before, at most max.poll.records records of ~450 bytes.
    long ceiling = bound + 100 * 1024;
    for (int i = 0; i < 20; i++) {
      RelayStats s = r.stats();
      assertThat(s.bufferedBytes()).as("held while paused").isLessThanOrEqualTo(ceiling);
      assertThat(s.consumed()).isLessThan(total);
      Thread.sleep(20);
    }
    collector.clearFaults();
    Await.until(GUARD, () -> collector.stats().distinctMessageIds() >= total, () -> "delivered " + collector.stats()
        + ", relay " + r.stats());
    Await.until(GUARD, () -> r.stats().pausedPartitions() == 0 && r.stats().bufferedBytes() == 0,
        () -> "still paused or holding: " + r.stats());
    assertThat(r.stats().deadLettered()).isZero();
  }

  @Test
  void builderValidatesEachOptionByName() {
    HttpTransport http = HttpTransport.builder(KEY).endpoint(collector.uri()).build();
    try {
      assertThatThrownBy(() -> KafkaRelay.builder().topic("t").groupId("g").transport(http).build())
          .hasMessageContaining("bootstrapServers");
      assertThatThrownBy(() -> KafkaRelay.builder().bootstrapServers("h:1").groupId("g").transport(http).build())
          .hasMessageContaining("topic");
      assertThatThrownBy(() -> KafkaRelay.builder().bootstrapServers("h:1").topic("t").transport(http).build())
          .hasMessageContaining("groupId");
      assertThatThrownBy(() -> KafkaRelay.builder().bootstrapServers("h:1").topic("t").groupId("g").build())
          .hasMessageContaining("transport");
      assertThatThrownBy(() -> KafkaRelay.builder().bootstrapServers("h:1").topic("t").groupId("g").transport(http)
          .deadLetterTopic("t").build()).hasMessageContaining("deadLetterTopic");
      assertThatThrownBy(() -> KafkaRelay.builder().bootstrapServers("h:1").topic("t").groupId("g").transport(http)
          .maxBatchMessages(2501).build()).hasMessageContaining("maxBatchMessages");
      assertThatThrownBy(() -> KafkaRelay.builder().bootstrapServers("h:1").topic("t").groupId("g").transport(http)
          .maxBatchBytes(600_000).build()).hasMessageContaining("maxBatchBytes");
      assertThatThrownBy(() -> KafkaRelay.builder().bootstrapServers("h:1").topic("t").groupId("g").transport(http)
          .consumerProperty("enable.auto.commit", "true").build()).hasMessageContaining("enable.auto.commit");
      assertThatThrownBy(() -> KafkaRelay.builder().bootstrapServers("h:1").topic("t").groupId("g").transport(http)
          .maxBufferedBytes(10).build()).hasMessageContaining("maxBufferedBytes");
    } finally {
      http.close();
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String value) {
    send(producer, "mixed", value);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String value) {
    producer.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8)));
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static Object uncheckedCommitted(String group, String topic) {
    try {
      return BROKER.committed(group, topic);
    } catch (Exception e) {
      return e.toString();
    }
  }
}
