package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.RetryPolicy;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-over between a rebalance (consumer thread) and the delivery thread, driven step by step:
 * an attempt must take all of a revoked partition's records or none, and a rebalance must wait for
 * the attempt in flight that holds some.
 */
class DeliveryRevokeTest {
  private static final Duration GUARD = Duration.ofSeconds(60);
  private static final TopicPartition P0 = new TopicPartition("events", 0);
  private static final TopicPartition P1 = new TopicPartition("events", 1);

  private final Counters counters = new Counters();
  private final BlockingQueue<PendingBatch> queue = new LinkedBlockingQueue<>();
  private final Sent transport = new Sent();
  private final Delivery delivery = new Delivery(queue, transport, RetryPolicy.builder().build(),
      new DeadLetters(null, "events.dlq", null, counters, (what, cause) -> { }, () -> { }), counters,
      (what, cause) -> { });
  private final Thread deliveryThread = new Thread(delivery, "test-delivery");

  @AfterEach
  void halt() throws InterruptedException {
    delivery.halt();
    transport.release();
    deliveryThread.join(GUARD.toMillis());
  }

  /**
   * The interleaving behind "first arrivals not in order": the rebalance has cancelled record 0 of
   * a partition but not yet record 1 when the delivery thread starts an attempt with their batch.
   * Had the attempt sent record 1 alone, the partition's next owner would read from record 0 and
   * deliver it after record 1.
   */
  @Test
  void anAttemptStartingWhileARebalanceCancelsTakesNoneOfThePartitionsRecords() throws Exception {
    Entry first = entry(P0, 0);
    Entry second = entry(P0, 1);
    deliveryThread.start();
    boolean handedOver = delivery.revoke(List.of(P0), () -> {
      first.cancel();
      // The delivery thread reaches for the batch halfway through the cancelling.
      queue.add(new PendingBatch(List.of(first, second)));
      awaitCondition(() -> !transport.sent.isEmpty() || deliveryThread.getState() == Thread.State.BLOCKED,
          () -> "the delivery thread neither sent nor waited: " + deliveryThread.getState());
      second.cancel();
    }, GUARD);
    assertThat(handedOver).isTrue();
    // Batches go one at a time: once a later batch is sent, the cancelled one was handled.
    queue.add(new PendingBatch(List.of(entry(P1, 0))));
    awaitCondition(() -> transport.sent.stream().anyMatch(b -> b.contains("events-1@0")),
        () -> "the later batch was not sent; sent " + transport.sent);
    assertThat(transport.sent).as("attempts sent").containsExactly(List.of("events-1@0"));
    assertThat(first.settled()).isFalse();
    assertThat(second.settled()).isFalse();
  }

  @Test
  void aRebalanceWaitsForTheAttemptInFlightThatHoldsRecordsOfItsPartitions() throws Exception {
    transport.hold();
    Entry first = entry(P0, 0);
    Entry second = entry(P0, 1);
    Entry other = entry(P1, 0);
    deliveryThread.start();
    queue.add(new PendingBatch(List.of(first, second, other)));
    awaitCondition(() -> !transport.sent.isEmpty(), () -> "nothing sent");

    assertThat(delivery.revoke(List.of(P0), () -> { }, Duration.ZERO)).as("handed over while in flight").isFalse();
    transport.release();
    assertThat(delivery.revoke(List.of(P0), () -> {
      first.cancel();
      second.cancel();
    }, GUARD)).isTrue();
    // The attempt in flight took its records before they were cancelled and delivered them.
    assertThat(first.settled()).isTrue();
    assertThat(second.settled()).isTrue();
    assertThat(transport.sent).containsExactly(List.of("events-0@0", "events-0@1", "events-1@0"));
  }

  private Entry entry(TopicPartition tp, long offset) {
    String json = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + tp + "@" + offset
        + "\",\"timestamp\":\"2026-01-01T00:00:00Z\"}";
    byte[] value = json.getBytes(StandardCharsets.UTF_8);
    Entry e = new Entry(tp, offset, "u".getBytes(StandardCharsets.UTF_8), value, value, counters);
    counters.hold(e);
    return e;
  }

  private static void awaitCondition(BooleanSupplier condition, Supplier<String> whatFailed) {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + GUARD + ": " + whatFailed.get());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /** Records each attempt's message ids; answers at once, or once released while held. */
  private static final class Sent implements Transport {
    final List<List<String>> sent = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<SendResult>> held = new ArrayList<>();
    private boolean holding;

    synchronized void hold() {
      holding = true;
    }

    synchronized void release() {
      holding = false;
      held.forEach(f -> f.complete(SendResult.delivered(200)));
      held.clear();
    }

    @Override
    public synchronized CompletableFuture<SendResult> send(Batch batch) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        String json = new String(batch.messageJson(i), StandardCharsets.UTF_8);
        int at = json.indexOf("\"messageId\":\"") + 13;
        ids.add(json.substring(at, json.indexOf('"', at)));
      }
      CompletableFuture<SendResult> f = new CompletableFuture<>();
      if (holding) {
        held.add(f);
      } else {
        f.complete(SendResult.delivered(200));
      }
      sent.add(List.copyOf(ids));
      return f;
    }

    @Override
    public Duration attemptTimeout() {
      return Duration.ofMinutes(5);
    }
  }
}
