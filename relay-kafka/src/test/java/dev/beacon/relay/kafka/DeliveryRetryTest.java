package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.RetryPolicy;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's retries follow the core's one retry implementation ({@link RetryPolicy.Schedule}),
 * exactly as the client's engine does: here, a server answering {@code Retry-After: 0} forever.
 */
class DeliveryRetryTest {
  private static final Duration GUARD = Duration.ofSeconds(60);

  private final Counters counters = new Counters();
  private final BlockingQueue<PendingBatch> queue = new LinkedBlockingQueue<>();
  private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
      new ByteArraySerializer());
  private final ScheduledThreadPoolExecutor deadLetterThread = new ScheduledThreadPoolExecutor(1);
  private final AtomicInteger attempts = new AtomicInteger();
  private Delivery delivery;
  private Thread deliveryThread;

  @AfterEach
  void stop() throws InterruptedException {
    if (delivery != null) {
      delivery.halt();
      deliveryThread.join(GUARD.toMillis());
    }
    deadLetterThread.shutdownNow();
  }

  /**
   * A zero {@code Retry-After} is an ordinary, counted backoff (Segment's rule, as in the engine):
   * the batch is dead-lettered once the retries are spent. Before the relay used the shared
   * implementation it retried such a batch without pause and without counting, until the 12 h
   * deadline, holding its partition.
   */
  @Test
  void aServerAnsweringRetryAfterZeroForeverSpendsTheRetriesThenTheBatchIsDeadLettered() throws Exception {
    Transport alwaysRetryAfterZero = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        attempts.incrementAndGet();
        return CompletableFuture.completedFuture(SendResult.retryable(429, Duration.ZERO, "slow down", null));
      }

      @Override
      public Duration attemptTimeout() {
        return Duration.ofMinutes(5);
      }
    };
    RetryPolicy policy = RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2))
        .maxRetries(3).totalDeadline(Duration.ofHours(12)).build();
    DeadLetters deadLetters = new DeadLetters(producer, "events.dlq", deadLetterThread, counters, (what, cause) -> { },
        () -> { });
    delivery = new Delivery(queue, alwaysRetryAfterZero, policy, deadLetters, counters, (what, cause) -> { });
    deliveryThread = new Thread(delivery, "test-delivery");
    deliveryThread.start();

    Entry e = entry();
    queue.add(new PendingBatch(List.of(e)));

    Await.until(GUARD, () -> producer.history().size() == 1,
        () -> "not dead-lettered; attempts so far: " + attempts.get());
    assertThat(new String(producer.history().get(0).headers().lastHeader(KafkaRelay.HEADER_REASON).value(),
        StandardCharsets.UTF_8)).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED.name());
    assertThat(attempts).as("the first attempt and maxRetries retries").hasValue(4);
  }

  private Entry entry() {
    String json = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"m-1\","
        + "\"timestamp\":\"2026-01-01T00:00:00Z\"}";
    byte[] value = json.getBytes(StandardCharsets.UTF_8);
    Entry e = new Entry(new TopicPartition("events", 0), 0, "u".getBytes(StandardCharsets.UTF_8), value, value,
        counters);
    counters.hold(e);
    return e;
  }
}
