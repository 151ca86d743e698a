package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.RetryPolicy;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.transport.http.HttpTransport;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay's failure paths on a real broker that, like most production clusters, does not create
 * topics on first use: a dead letter that the dead-letter topic refuses, a dead-letter topic that
 * does not exist, a thread that dies, settled records waiting behind one that cannot settle yet.
 */
class KafkaRelayFailureTest {
  @RegisterExtension
  static final KafkaBroker BROKER = KafkaBroker.withoutTopicAutoCreation();
  private static final String KEY = "relay-failure-write-key";
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

  private KafkaRelay.Builder relay(String topic, String group) {
    return KafkaRelay.builder().bootstrapServers(BROKER.bootstrapServers()).topic(topic).groupId(group)
        .transport(HttpTransport.builder(KEY).endpoint(collector.uri()).build())
        .retryPolicy(FAST).linger(Duration.ofMillis(20)).commitInterval(Duration.ofMillis(100));
  }

  private KafkaRelay started(KafkaRelay.Builder b) {
    KafkaRelay r = b.build();
    relays.add(r);
    return r.start();
  }

  /**
   * A record over Segment's 32 KB is invalid and goes to the dead-letter topic, whose
   * {@code max.message.bytes} (16 KB here) is smaller than the source topic's: the whole record
   * can never be written there. It used to be retried until the relay stopped, holding its
   * partition's offset (and everything read after it) forever.
   */
  @Test
  void aRecordTooLargeForTheDeadLetterTopicIsDeadLetteredAsATruncatedCopyAndOffsetsAdvance() throws Exception {
    BROKER.createTopic("big", 1, Map.of("max.message.bytes", Integer.toString(1 << 20)));
    BROKER.createTopic("big.dlq", 1, Map.of("max.message.bytes", Integer.toString(16 << 10)));
    // Random characters: the dead-letter producer's lz4 must not shrink it under the topic's limit.
    StringBuilder blob = new StringBuilder();
    java.util.Random random = new java.util.Random(20);
    for (int i = 0; i < 100_000; i++) {
      blob.append((char) ('!' + random.nextInt(90)));
    }
    byte[] huge = ("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Huge\",\"properties\":{\"blob\":\""
        + blob.toString().replace("\\", "/").replace("\"", "'") + "\"}}").getBytes(StandardCharsets.UTF_8);
    produce("big", huge, json("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"After\"}"));
    KafkaRelay r = started(relay("big", "big-group"));
    List<ConsumerRecord<byte[], byte[]>> dead = BROKER.read("big.dlq", 1, GUARD);
    assertThat(dead).hasSize(1);
    ConsumerRecord<byte[], byte[]> d = dead.get(0);
    assertThat(header(d, KafkaRelay.HEADER_TRUNCATED)).isEqualTo(Integer.toString(huge.length));
    assertThat(header(d, KafkaRelay.HEADER_REASON)).isEqualTo("INVALID");
    assertThat(header(d, KafkaRelay.HEADER_TOPIC)).isEqualTo("big");
    assertThat(header(d, KafkaRelay.HEADER_PARTITION)).isEqualTo("0");
    assertThat(header(d, KafkaRelay.HEADER_OFFSET)).isEqualTo("0");
    assertThat(header(d, KafkaRelay.HEADER_DETAIL)).contains("over Segment's limit");
    assertThat(d.value()).isEqualTo(Arrays.copyOf(huge, DeadLetters.TRUNCATED_BYTES));
    assertThat(collector.awaitMessages(1, GUARD)).extracting(CapturedMessage::event).containsExactly("After");
    Await.until(GUARD, () -> BROKER.committed("big-group", "big").equals(Map.of(0, 2L)),
        () -> "committed " + committed("big-group", "big") + "; relay " + r.stats());
    assertThat(r.state()).isEqualTo(KafkaRelay.State.RUNNING);
    assertThat(r.stats().deadLettered()).isEqualTo(1);
  }

  /**
   * Without its dead-letter topic a relay cannot settle an invalid record: it stops at once, says
   * why, and commits nothing.
   */
  @Test
  void aMissingDeadLetterTopicStopsTheRelayNamingTheTopicAndCommitsNothing() throws Exception {
    BROKER.createTopic("orphan", 1);
    produce("orphan", json("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Kept\"}"), json("not json"));
    KafkaRelay r = started(relay("orphan", "orphan-group"));
    Await.until(GUARD, () -> r.state() == KafkaRelay.State.FAILED, () -> "relay " + r.state() + " " + r.stats());
    assertThat(r.failure()).get().isInstanceOf(UnknownTopicOrPartitionException.class);
    assertThat(r.failure().get().getMessage()).contains("orphan.dlq");
    assertThat(r.awaitConsumerStopped(GUARD)).isTrue();
    assertThat(r.close(Duration.ofSeconds(5))).as("a failed relay never reports success").isFalse();
    assertThat(r.state()).isEqualTo(KafkaRelay.State.FAILED);
    assertThat(BROKER.committed("orphan-group", "orphan")).isEmpty();
    assertThat(collector.stats().distinctMessageIds()).isZero();
  }

  /**
   * A thread of the relay dying (here the delivery thread, on an {@link Error} from the
   * transport) used to leave the relay "running", its stats frozen and its partitions held.
   */
  @Test
  void aDeadDeliveryThreadStopsTheRelayWithItsCauseAndTheConsumerThreadStops() throws Exception {
    BROKER.createTopic("doomed", 1);
    BROKER.createTopic("doomed.dlq", 1);
    produce("doomed", json("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Boom\"}"));
    Error bug = new Error("a bug in a transport");
    Transport broken = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        throw bug;
      }
    };
    KafkaRelay r = started(KafkaRelay.builder().bootstrapServers(BROKER.bootstrapServers()).topic("doomed")
        .groupId("doomed-group").transport(broken).linger(Duration.ofMillis(20)));
    Await.until(GUARD, () -> r.state() == KafkaRelay.State.FAILED, () -> "relay " + r.state() + " " + r.stats());
    assertThat(r.failure()).containsSame(bug);
    assertThat(r.awaitConsumerStopped(GUARD)).as("the consumer thread stops too").isTrue();
    assertThat(r.close(Duration.ofSeconds(5))).as("a failed relay never reports success").isFalse();
    assertThat(BROKER.committed("doomed-group", "doomed")).isEmpty();
  }

  /**
   * The head of a partition waits for its dead letter (the dead-letter producer does not
   * return: a stand-in for brokers that do not answer) while thousands of later records are
   * delivered. Settled, they stay in the partition's tracker until the head settles: their
   * bytes must be released and the entries themselves counted, so that the relay pauses at its
   * bound instead of reading the whole partition into the heap.
   */
  @Test
  void recordsSettledBehindAStuckHeadAreBoundedAndPauseThePartition() throws Exception {
    BROKER.createTopic("stuck", 1);
    BROKER.createTopic("stuck.dlq", 1);
    int total = 20_000;
    List<byte[]> values = new ArrayList<>(total + 1);
    values.add(json("not json: the head of the partition"));
    for (int i = 0; i < total; i++) {
      values.add(json("{\"type\":\"track\",\"userId\":\"u" + (i % 50) + "\",\"event\":\"Behind\",\"messageId\":\"m-"
          + i + "\"}"));
    }
    produce("stuck", values.toArray(byte[][]::new));
    long bound = 1 << 20;
    KafkaRelay r = started(relay("stuck", "stuck-group").maxBufferedBytes(bound)
        .consumerProperty("max.poll.records", 500)
        .producerProperty("interceptor.classes", StuckDeadLetters.class.getName()));
    // Everything read is delivered but the head: what remains held is the settled records behind it.
    // Caught up, only the head unsettled, and still over half the bound: the settled records behind
    // the head count, so the partition stays paused. Before, they counted for nothing once settled
    // (held bytes fell to the head's own), so the relay resumed and read the whole partition.
    Await.until(GUARD, () -> {
      RelayStats now = r.stats();
      return now.pausedPartitions() == 1 && now.bufferedRecords() == 1 && now.delivered() == now.consumed() - 1
          && now.bufferedBytes() > bound / 2;
    }, () -> "not paused at the bound with only the head unsettled: " + r.stats());
    RelayStats s = r.stats();
    assertThat(s.consumed()).as("read before pausing").isLessThan(total);
    assertThat(s.bufferedBytes()).isLessThanOrEqualTo(bound + 500L * 1024);
    assertThat(r.state()).isEqualTo(KafkaRelay.State.RUNNING);
    assertThat(BROKER.committed("stuck-group", "stuck")).isEmpty();
  }

  /** Holds every dead-letter write in {@code send} until the test ends. */
  public static final class StuckDeadLetters implements ProducerInterceptor<byte[], byte[]> {
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
      try {
        RELEASE.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  @AfterAll
  static void releaseDeadLetters() {
    StuckDeadLetters.RELEASE.countDown();
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void produce(String topic, byte[]... values) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (byte[] v : values) {
        producer.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), v));
      }
      producer.flush();
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static Object committed(String group, String topic) {
    try {
      return BROKER.committed(group, topic);
    } catch (Exception e) {
      return e.toString();
    }
  }
}
