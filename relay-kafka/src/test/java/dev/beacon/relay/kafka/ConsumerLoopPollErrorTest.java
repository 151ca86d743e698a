package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an error thrown by {@code poll} does to the consumer thread, by Kafka's classification. */
class ConsumerLoopPollErrorTest {
  private static final Duration GUARD = Duration.ofSeconds(60);
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1);
  private final CountDownLatch onStop = new CountDownLatch(1);

  @AfterEach
  void stopThreads() {
    thread.shutdownNow();
  }

  private ConsumerLoop loop() {
    KafkaRelay.Settings settings = new KafkaRelay.Settings(KafkaRelay.builder().topic("events").groupId("g"));
    Node node = new Node(0, "127.0.0.1", 9);
    consumer.updatePartitions(settings.deadLetterTopic,
        List.of(new PartitionInfo(settings.deadLetterTopic, 0, node, new Node[] {node}, new Node[] {node})));
    Counters counters = new Counters();
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
        new ByteArraySerializer());
    DeadLetters deadLetters = new DeadLetters(producer, settings.deadLetterTopic, thread, counters,
        (what, cause) -> fatal.compareAndSet(null, cause), () -> { });
    Transport transport = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        return CompletableFuture.completedFuture(SendResult.delivered(200));
      }
    };
    LinkedBlockingQueue<PendingBatch> queue = new LinkedBlockingQueue<>();
    Delivery delivery = new Delivery(queue, transport, KafkaRelay.Builder.defaultRetryPolicy(), deadLetters, counters,
        (what, cause) -> fatal.compareAndSet(null, cause));
    return new ConsumerLoop(consumer, settings, queue, deadLetters, delivery, counters, onStop::countDown,
        (what, cause) -> fatal.compareAndSet(null, cause));
  }

  /** An authorization error can never pass by polling again: the thread stops and says why. */
  @Test
  void aNonRetriableErrorFromPollStopsTheLoopAndReportsIt() throws Exception {
    ConsumerLoop loop = loop();
    KafkaException denied = new TopicAuthorizationException("Not authorized to access topics: [events]");
    consumer.setPollException(denied);
    Thread t = new Thread(loop, "test-consumer");
    t.start();
    assertThat(loop.awaitStopped(GUARD)).isTrue();
    assertThat(fatal.get()).isSameAs(denied);
    assertThat(onStop.await(GUARD.toSeconds(), TimeUnit.SECONDS)).as("the delivery side is stopped").isTrue();
    assertThat(consumer.closed()).isTrue();
  }

  /** A retriable error is waited out: the loop polls again and stops only when asked to. */
  @Test
  void aRetriableErrorFromPollIsWaitedOut() throws Exception {
    ConsumerLoop loop = loop();
    consumer.setPollException(new RetriableKafka());
    CountDownLatch polledAgain = new CountDownLatch(1);
    consumer.schedulePollTask(() -> { });
    consumer.schedulePollTask(polledAgain::countDown);
    Thread t = new Thread(loop, "test-consumer");
    t.start();
    assertThat(polledAgain.await(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(fatal.get()).isNull();
    loop.drain(System.nanoTime());
    assertThat(loop.awaitStopped(GUARD)).isTrue();
    assertThat(fatal.get()).isNull();
  }

  /** A retriable error as Kafka throws them from {@code poll}. */
  private static final class RetriableKafka extends org.apache.kafka.common.errors.RetriableException {
    private static final long serialVersionUID = 1L;

    RetriableKafka() {
      super("the coordinator moved");
    }
  }
}
