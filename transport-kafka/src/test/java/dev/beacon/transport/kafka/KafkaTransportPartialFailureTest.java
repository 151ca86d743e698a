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
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

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

    private static Cluster oneTopic() {
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
