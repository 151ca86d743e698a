package dev.beacon.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Message;
import dev.beacon.Track;
import dev.beacon.internal.MessageCodec;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Partly failed attempts and their retries, on a producer that fails chosen records. */
class KafkaTransportPartialFailureTest {
  private static final String TOPIC = "events";

  /**
   * A wait for metadata (or buffer space) over {@code max.block.ms} fails one record before it
   * reaches the producer's buffers, while the next records of the same user could be written at
   * once. Written, they would precede the failed record, which the retry writes after them: a
   * user's events out of order in the topic, and so at the relay.
   */
  @Test
  void aRecordFailingBeforeItIsBufferedHoldsBackTheLaterRecordsSoTheRetryKeepsEachUsersOrder() throws Exception {
    List<Message> steps = new ArrayList<>();
    for (int seq = 0; seq < 4; seq++) {
      steps.add(Track.builder("Step").userId("user-1").properties(Map.of("seq", seq)).build());
    }
    Batch batch = Batch.of(steps);
    FailsOnce producer = new FailsOnce(1);
    List<Integer> written;
    try (KafkaTransport t = KafkaTransport.builder().bootstrapServers("127.0.0.1:9").topic(TOPIC)
        .build(props -> producer)) {
      SendResult first = t.send(batch).get(30, TimeUnit.SECONDS);
      assertThat(first.outcome()).as(first.detail()).isEqualTo(SendResult.Outcome.RETRYABLE);
      SendResult retry = t.send(batch).get(30, TimeUnit.SECONDS);
      assertThat(retry.outcome()).as(retry.detail()).isEqualTo(SendResult.Outcome.DELIVERED);
      written = producer.history().stream().map(KafkaTransportPartialFailureTest::seq).toList();
    }
    assertThat(written).as("seq of the records in the order written").containsExactly(0, 1, 2, 3);
  }

  /**
   * The messages acknowledged in a partly failed attempt are remembered for the retry; when the
   * retry fails for good (a permanent error), the engine never sends them again, so they must not
   * stay behind (they used to, up to 10,000 messages and their payloads).
   */
  @Test
  void acknowledgedMessagesOfABatchThatFailsForGoodAreForgotten() throws Exception {
    Batch batch = Batch.of(steps(3));
    Failing producer = new Failing(Map.of(1, List.of(
        new TimeoutException("Topic " + TOPIC + " not present in metadata after 10000 ms."),
        new TopicAuthorizationException("Not authorized to access topics: [" + TOPIC + "]"))));
    try (KafkaTransport t = KafkaTransport.builder().bootstrapServers("127.0.0.1:9").topic(TOPIC)
        .build(props -> producer)) {
      SendResult first = t.send(batch).get(30, TimeUnit.SECONDS);
      assertThat(first.outcome()).as(first.detail()).isEqualTo(SendResult.Outcome.RETRYABLE);
      assertThat(t.rememberedMessages()).as("seq 0, acknowledged before seq 1 failed").isEqualTo(1);
      SendResult retry = t.send(batch).get(30, TimeUnit.SECONDS);
      assertThat(retry.outcome()).as(retry.detail()).isEqualTo(SendResult.Outcome.PERMANENT);
      assertThat(t.rememberedMessages()).isZero();
    }
  }

  /**
   * A batch whose retries the engine spends is dropped without another call to the transport:
   * what the transport remembered of it goes once the engine lets go of its messages.
   */
  @Test
  void acknowledgedMessagesOfABatchTheEngineGaveUpAreNotRetained() throws Exception {
    Failing producer = new Failing(Map.of(1, List.of(
        new TimeoutException("Topic " + TOPIC + " not present in metadata after 10000 ms."))));
    try (KafkaTransport t = KafkaTransport.builder().bootstrapServers("127.0.0.1:9").topic(TOPIC)
        .build(props -> producer)) {
      SendResult first = t.send(Batch.of(steps(3))).get(30, TimeUnit.SECONDS);
      assertThat(first.outcome()).as(first.detail()).isEqualTo(SendResult.Outcome.RETRYABLE);
      assertThat(t.rememberedMessages()).isEqualTo(1);
      producer.clear(); // the mock's history holds the records, not the messages; drop it all the same
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (t.rememberedMessages() > 0 && System.nanoTime() < deadline) {
        System.gc();
        Thread.sleep(20);
      }
      assertThat(t.rememberedMessages()).as("entries left once the batch is unreachable").isZero();
    }
  }

  /**
   * {@code send} runs on the engine's only scheduler thread: a producer waiting for metadata
   * (up to {@code max.block.ms}) must not hold it. Here the producer blocks until the test,
   * after {@code send} returned, lets it go; a send that waited would never return.
   */
  @Test
  @Timeout(120)
  void sendReturnsWhileTheProducerWaitsForMetadata() throws Exception {
    CountDownLatch metadata = new CountDownLatch(1);
    Failing producer = new Failing(Map.of()) {
      @Override
      public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        try {
          metadata.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.send(record, callback);
      }
    };
    try (KafkaTransport t = KafkaTransport.builder().bootstrapServers("127.0.0.1:9").topic(TOPIC)
        .build(props -> producer)) {
      CompletableFuture<SendResult> f = t.send(Batch.of(steps(2)));
      assertThat(f).isNotDone();
      metadata.countDown();
      assertThat(f.get(60, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
    }
  }

  /**
   * Closing while the sender thread is stuck in the producer (a wait for metadata that does not
   * end) still completes every attempt: the one in the producer, and the ones queued behind it.
   */
  @Test
  @Timeout(120)
  void closeCompletesTheAttemptsQueuedBehindAStuckSend() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch inSend = new CountDownLatch(1);
    Failing producer = new Failing(Map.of()) {
      @Override
      public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        inSend.countDown();
        try {
          never.await();
        } catch (InterruptedException e) {
          throw new org.apache.kafka.common.errors.InterruptException(e);
        }
        return super.send(record, callback);
      }
    };
    KafkaTransport t = KafkaTransport.builder().bootstrapServers("127.0.0.1:9").topic(TOPIC)
        .build(props -> producer);
    CompletableFuture<SendResult> stuck = t.send(Batch.of(steps(1)));
    CompletableFuture<SendResult> queued = t.send(Batch.of(steps(1)));
    assertThat(inSend.await(60, TimeUnit.SECONDS)).isTrue();
    t.close();
    assertThat(stuck.get(60, TimeUnit.SECONDS).outcome()).isNotEqualTo(SendResult.Outcome.DELIVERED);
    assertThat(queued.get(60, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.PERMANENT);
    assertThat(queued.get().detail()).isEqualTo("transport closed");
  }

  /** Kafka's classification: what is not a RetriableException never succeeds by retrying. */
  @Test
  void aKafkaErrorThatIsNotRetriableIsPermanent() {
    assertThat(KafkaTransport.isPermanent(new KafkaException("producer in a fatal state"))).isTrue();
    assertThat(KafkaTransport.isPermanent(new KafkaException("wrapped", new TimeoutException("slow")))).isFalse();
    assertThat(KafkaTransport.isPermanent(new org.apache.kafka.common.errors.InterruptException("stop"))).isFalse();
  }

  private static List<Message> steps(int n) {
    List<Message> steps = new ArrayList<>();
    for (int seq = 0; seq < n; seq++) {
      steps.add(Track.builder("Step").userId("user-1").properties(Map.of("seq", seq)).build());
    }
    return steps;
  }

  /** Fails the sends of a seq with the listed errors in turn, acknowledges every other record at once. */
  private static class Failing extends MockProducer<byte[], byte[]> {
    private final Map<Integer, java.util.Deque<RuntimeException>> errors = new java.util.HashMap<>();

    Failing(Map<Integer, List<RuntimeException>> errors) {
      super(FailsOnce.oneTopic(), true, null, new ByteArraySerializer(), new ByteArraySerializer());
      errors.forEach((seq, list) -> this.errors.put(seq, new java.util.ArrayDeque<>(list)));
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      var left = errors.get(seq(record));
      if (left != null && !left.isEmpty()) {
        RuntimeException e = left.pollFirst();
        callback.onCompletion(null, e);
        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
        f.completeExceptionally(e);
        return f;
      }
      return super.send(record, callback);
    }
  }

  private static int seq(ProducerRecord<byte[], byte[]> r) {
    Object properties = MessageCodec.parseObject(r.value(), 0, r.value().length).get("properties");
    return ((Number) ((Map<?, ?>) properties).get("seq")).intValue();
  }

  /** Acknowledges every record at once, except the first send of the record with one seq. */
  private static final class FailsOnce extends MockProducer<byte[], byte[]> {
    private final int failingSeq;
    private boolean failed;

    FailsOnce(int failingSeq) {
      super(oneTopic(), true, null, new ByteArraySerializer(), new ByteArraySerializer());
      this.failingSeq = failingSeq;
    }

    static Cluster oneTopic() {
      Node node = new Node(0, "127.0.0.1", 9);
      return new Cluster("test", List.of(node),
          List.of(new PartitionInfo(TOPIC, 0, node, new Node[] {node}, new Node[] {node})), java.util.Set.of(),
          java.util.Set.of());
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      if (!failed && seq(record) == failingSeq) {
        failed = true;
        // As KafkaProducer does when max.block.ms passes: the callback fails, nothing is buffered.
        TimeoutException e = new TimeoutException("Topic " + TOPIC + " not present in metadata after 10000 ms.");
        callback.onCompletion(null, e);
        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
        f.completeExceptionally(e);
        return f;
      }
      return super.send(record, callback);
    }
  }
}
