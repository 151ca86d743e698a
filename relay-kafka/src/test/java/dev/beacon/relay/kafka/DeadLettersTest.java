package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a failed dead-letter write is handled, by Kafka's classification of the error. */
class DeadLettersTest {
  private static final Duration GUARD = Duration.ofSeconds(60);
  private final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
      new ByteArraySerializer());
  private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1);
  private final Counters counters = new Counters();
  private final AtomicReference<String> fatal = new AtomicReference<>();
  private final DeadLetters deadLetters = new DeadLetters(producer, "events.dlq", thread, counters,
      (what, cause) -> fatal.compareAndSet(null, what), () -> { });

  @AfterEach
  void stop() {
    thread.shutdownNow();
  }

  private Entry entry(int valueBytes) {
    byte[] value = "v".repeat(valueBytes).getBytes(StandardCharsets.UTF_8);
    Entry e = new Entry(new TopicPartition("events", 3), 42, "user-1".getBytes(StandardCharsets.UTF_8), value, value,
        counters);
    counters.hold(e);
    return e;
  }

  private void awaitSends(int n) throws Exception {
    Await.until(GUARD, () -> producer.history().size() >= n, () -> "sends: " + producer.history().size());
  }

  @Test
  void aRecordTooLargeForTheTopicIsWrittenAsATruncatedCopyThenSettles() throws Exception {
    Entry e = entry(100_000);
    deadLetters.write(e, DeadLetterReason.INVALID, 0, "too big");
    awaitSends(1);
    assertThat(producer.errorNext(new RecordTooLargeException("over max.message.bytes"))).isTrue();
    awaitSends(2);
    ProducerRecord<byte[], byte[]> copy = producer.history().get(1);
    assertThat(copy.value()).hasSize(DeadLetters.TRUNCATED_BYTES);
    assertThat(new String(copy.headers().lastHeader(KafkaRelay.HEADER_TRUNCATED).value(), StandardCharsets.UTF_8))
        .isEqualTo("100000");
    assertThat(new String(copy.headers().lastHeader(KafkaRelay.HEADER_OFFSET).value(), StandardCharsets.UTF_8))
        .isEqualTo("42");
    assertThat(producer.completeNext()).isTrue();
    Await.until(GUARD, e::settled, () -> "not settled");
    assertThat(e.value).as("a settled record drops its bytes").isNull();
    assertThat(counters.deadLettered.get()).isEqualTo(1);
    assertThat(fatal.get()).isNull();
  }

  @Test
  void anUnauthorizedDeadLetterTopicIsFatalAndNamesIt() throws Exception {
    Entry e = entry(10);
    deadLetters.write(e, DeadLetterReason.REJECTED, 400, "refused");
    awaitSends(1);
    producer.errorNext(new TopicAuthorizationException("Not authorized to access topics: [events.dlq]"));
    Await.until(GUARD, () -> fatal.get() != null, () -> "not fatal");
    assertThat(fatal.get()).contains("events.dlq").contains("TopicAuthorizationException").contains("offset 42");
    assertThat(e.pending()).isTrue();
  }

  @Test
  void anInvalidDeadLetterTopicIsFatal() throws Exception {
    deadLetters.write(entry(10), DeadLetterReason.INVALID, 0, "bad");
    awaitSends(1);
    producer.errorNext(new InvalidTopicException("events.dlq"));
    Await.until(GUARD, () -> fatal.get() != null, () -> "not fatal");
    assertThat(fatal.get()).contains("InvalidTopicException");
  }

  @Test
  void aRetriableErrorIsRetriedAndTheRecordWaits() throws Exception {
    Entry e = entry(10);
    deadLetters.write(e, DeadLetterReason.INVALID, 0, "bad");
    awaitSends(1);
    producer.errorNext(new NotEnoughReplicasException("1 of 2 in sync"));
    awaitSends(2);
    assertThat(e.pending()).isTrue();
    assertThat(fatal.get()).isNull();
    List<ProducerRecord<byte[], byte[]>> sent = producer.history();
    assertThat(sent.get(1).value()).isEqualTo(sent.get(0).value());
    producer.completeNext();
    Await.until(GUARD, e::settled, () -> "not settled");
  }
}
