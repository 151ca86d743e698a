package dev.beacon.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.FailureReason;
import dev.beacon.RetryPolicy;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BeaconMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final List<Analytics> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(Analytics::close);
    registry.close();
  }

  private Analytics client(Transport transport, RetryPolicy retry) {
    Analytics a = Analytics.builder("metrics-test-key").transport(transport).retryPolicy(retry)
        .flushAt(1).shutdownHook(false).build();
    clients.add(a);
    return a;
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).functionCounter().count();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void countersReadTheClientsOwnStats() {
    CapturingTransport capture = new CapturingTransport();
    Analytics analytics = client(capture, RetryPolicy.defaults());
    new BeaconMetrics(analytics, "web").bindTo(registry);

    for (int i = 0; i < 3; i++) {
      assertThat(analytics.track("user_" + i, "Order Completed")).isTrue();
    }
    assertThat(analytics.flush(WAIT).isSuccess()).isTrue();

    assertThat(counter("beacon.messages.accepted", "client", "web")).isEqualTo(3);
    assertThat(counter("beacon.messages.delivered", "client", "web")).isEqualTo(3);
    assertThat(counter("beacon.batches.delivered", "client", "web")).isEqualTo(capture.batches().size());
    assertThat(counter("beacon.requests", "client", "web")).isEqualTo(capture.attempts());
    assertThat(counter("beacon.requests.retries", "client", "web")).isZero();
    assertThat(counter("beacon.messages.recovered", "client", "web")).isZero();
    assertThat(counter("beacon.messages.not.sent", "client", "web")).isZero();
    assertThat(counter("beacon.callback.errors", "client", "web")).isZero();
    assertThat(counter("beacon.spool.sync.timeouts", "client", "web")).isZero();
    assertThat(counter("beacon.spool.lock.bypasses", "client", "web")).isZero();
    assertThat(gauge("beacon.messages.pending", "client", "web")).isZero();
    assertThat(gauge("beacon.queue.messages", "client", "web")).isZero();
    assertThat(gauge("beacon.queue.bytes", "client", "web")).isZero();
    assertThat(gauge("beacon.messages.in.flight", "client", "web")).isZero();
    assertThat(gauge("beacon.spool.messages", "client", "web")).isZero();
    assertThat(gauge("beacon.spool.degraded", "client", "web")).isZero();
  }

  @Test
  void failuresAreCountedByReasonAndRetriesByAttempt() {
    CapturingTransport capture = new CapturingTransport();
    RetryPolicy fast = RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(1))
        .maxRetries(1).build();
    Analytics analytics = client(capture, fast);
    new BeaconMetrics(analytics).bindTo(registry);

    capture.failNext(1, Fault.permanent(401));
    analytics.track("user_1", "Refused");
    analytics.flush(WAIT);
    capture.failNext(2, Fault.retryable(503));
    analytics.track("user_2", "Given up");
    analytics.flush(WAIT);
    capture.failNext(1, Fault.retryable(503));
    analytics.track("user_3", "Retried once");
    assertThat(analytics.flush(WAIT).isSuccess()).isTrue();

    assertThat(counter("beacon.messages.failed", "client", "default", "reason", "unauthorized")).isEqualTo(1);
    assertThat(counter("beacon.messages.failed", "client", "default", "reason", "retries_exhausted")).isEqualTo(1);
    assertThat(counter("beacon.messages.failed", "client", "default", "reason", "rejected")).isZero();
    assertThat(counter("beacon.messages.delivered", "client", "default")).isEqualTo(1);
    assertThat(counter("beacon.requests.retries", "client", "default")).isEqualTo(2);
    assertThat(counter("beacon.requests", "client", "default")).isEqualTo(5);
  }

  @Test
  void dropsAreCountedByReason() {
    Analytics analytics = client(new CapturingTransport(), RetryPolicy.defaults());
    new BeaconMetrics(analytics).bindTo(registry);
    analytics.close();

    assertThat(analytics.track("user_1", "After close")).isFalse();

    assertThat(counter("beacon.messages.dropped", "reason", "closed")).isEqualTo(1);
    assertThat(counter("beacon.messages.dropped", "reason", "queue_full")).isZero();
    assertThat(counter("beacon.messages.accepted")).isZero();
  }

  @Test
  void everyReasonIsRegisteredUpFrontSoDashboardsSeeZeros() {
    new BeaconMetrics(client(new CapturingTransport(), RetryPolicy.defaults())).bindTo(registry);

    Set<String> failed = registry.find("beacon.messages.failed").functionCounters().stream()
        .map(c -> c.getId().getTag("reason")).collect(Collectors.toSet());
    Set<String> dropped = registry.find("beacon.messages.dropped").functionCounters().stream()
        .map(c -> c.getId().getTag("reason")).collect(Collectors.toSet());

    assertThat(failed).hasSize(FailureReason.values().length).contains("unauthorized", "spool_corrupt");
    assertThat(dropped).hasSize(DropReason.values().length).contains("queue_full", "queue_bytes_full", "spool_full");
  }

  @Test
  void gaugesShowMessagesWaitingForAnAnswer() throws InterruptedException {
    HeldTransport held = new HeldTransport();
    Analytics analytics = client(held, RetryPolicy.defaults());
    new BeaconMetrics(analytics, "held").bindTo(registry);

    analytics.track("user_1", "Waiting");
    CompletableFuture<SendResult> answer = held.sends.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(answer).as("the batch reached the transport").isNotNull();
    // The consumer counts the messages of a poll as consumed when the poll ends, which can be just
    // after the batch reached the transport: wait for the count rather than race it.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (gauge("beacon.messages.in.flight", "client", "held") != 1 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }

    assertThat(gauge("beacon.messages.pending", "client", "held")).isEqualTo(1);
    assertThat(gauge("beacon.messages.in.flight", "client", "held")).isEqualTo(1);
    assertThat(gauge("beacon.queue.messages", "client", "held")).isZero();
    assertThat(gauge("beacon.queue.bytes", "client", "held")).isPositive();
    assertThat(counter("beacon.requests", "client", "held")).isEqualTo(1);

    answer.complete(SendResult.delivered(200));
    assertThat(analytics.flush(WAIT).isSuccess()).isTrue();
    assertThat(gauge("beacon.messages.pending", "client", "held")).isZero();
    assertThat(counter("beacon.messages.delivered", "client", "held")).isEqualTo(1);
  }

  @Test
  void messagesNotSentAreCounted() {
    Analytics analytics = Analytics.builder("metrics-test-key").send(false).flushAt(1).shutdownHook(false).build();
    clients.add(analytics);
    new BeaconMetrics(analytics).bindTo(registry);

    analytics.track("user_1", "Dry run");
    analytics.flush(WAIT);

    assertThat(counter("beacon.messages.not.sent")).isEqualTo(1);
    assertThat(counter("beacon.messages.delivered")).isZero();
  }

  @Test
  void theClientTagKeepsSeveralClientsApart() {
    Analytics orders = client(new CapturingTransport(), RetryPolicy.defaults());
    Analytics billing = client(new CapturingTransport(), RetryPolicy.defaults());
    new BeaconMetrics(orders, "orders", Tags.of("region", "eu")).bindTo(registry);
    new BeaconMetrics(billing, "billing", Tags.of("region", "eu")).bindTo(registry);

    orders.track("user_1", "A");
    orders.track("user_1", "B");
    billing.track("user_1", "C");
    orders.flush(WAIT);
    billing.flush(WAIT);

    assertThat(counter("beacon.messages.delivered", "client", "orders", "region", "eu")).isEqualTo(2);
    assertThat(counter("beacon.messages.delivered", "client", "billing", "region", "eu")).isEqualTo(1);
  }

  @Test
  void closeRemovesTheMetersItRegistered() {
    Analytics analytics = client(new CapturingTransport(), RetryPolicy.defaults());
    BeaconMetrics metrics = new BeaconMetrics(analytics, "gone");
    metrics.bindTo(registry);
    long before = registry.getMeters().size();
    assertThat(before).isGreaterThan(20);

    metrics.close();
    metrics.close();

    assertThat(registry.find("beacon.messages.delivered").meters()).isEmpty();
    assertThat(registry.getMeters()).isEmpty();
    assertThat(analytics.isClosed()).as("the client is not the binder's to close").isFalse();
  }

  @Test
  void metersAreFunctionCountersAndGaugesNotCopies() {
    new BeaconMetrics(client(new CapturingTransport(), RetryPolicy.defaults())).bindTo(registry);
    Map<Class<?>, Long> kinds = registry.getMeters().stream().collect(Collectors.groupingBy(
        m -> m instanceof FunctionCounter ? FunctionCounter.class : m instanceof Gauge ? Gauge.class : Meter.class,
        Collectors.counting()));

    assertThat(kinds).containsOnlyKeys(FunctionCounter.class, Gauge.class);
    assertThat(kinds.get(Gauge.class)).isEqualTo(6);
    assertThat(kinds.get(FunctionCounter.class))
        .isEqualTo(10 + FailureReason.values().length + DropReason.values().length);
  }

  @Test
  void aBlankClientNameIsRefusedByName() {
    Analytics analytics = client(new CapturingTransport(), RetryPolicy.defaults());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BeaconMetrics(analytics, " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientName");
  }

  /** A transport whose answers the test gives: each send waits in {@link #sends}. */
  private static final class HeldTransport implements Transport {
    final BlockingQueue<CompletableFuture<SendResult>> sends = new LinkedBlockingQueue<>();

    @Override
    public CompletableFuture<SendResult> send(Batch batch) {
      CompletableFuture<SendResult> f = new CompletableFuture<>();
      sends.add(f);
      return f;
    }
  }
}
