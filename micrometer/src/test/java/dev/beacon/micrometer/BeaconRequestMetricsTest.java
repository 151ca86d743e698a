package dev.beacon.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.RetryPolicy;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BeaconRequestMetricsTest {
  @Test
  void recordsEachAttemptWithItsOutcomeBatchSizeAndBytes() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BeaconRequestMetrics requests = new BeaconRequestMetrics("orders");
    requests.bindTo(registry);
    CapturingTransport transport = new CapturingTransport().failNext(1, Fault.retryable(503));
    RetryPolicy fast = RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2))
        .jitter(false).build();
    try (Analytics a = Analytics.builder("metrics-test-key").transport(transport).retryPolicy(fast)
        .shutdownHook(false).flushAt(5).flushInterval(Duration.ofHours(1)).deliveryObserver(requests).build()) {
      for (int i = 0; i < 5; i++) {
        a.track("u", "E", Map.of("i", i));
      }
      assertThat(a.flush(Duration.ofSeconds(30)).isSuccess()).isTrue();
    }
    Timer delivered = registry.get("beacon.requests.duration").tag("client", "orders").tag("outcome", "delivered")
        .timer();
    Timer retryable = registry.get("beacon.requests.duration").tag("outcome", "retryable").timer();
    assertThat(delivered.count()).isEqualTo(1);
    assertThat(retryable.count()).isEqualTo(1);
    DistributionSummary messages = registry.get("beacon.batches.messages").summary();
    assertThat(messages.count()).isEqualTo(2);
    assertThat(messages.totalAmount()).isEqualTo(10);
    DistributionSummary bytes = registry.get("beacon.batches.bytes").summary();
    assertThat(bytes.max()).isGreaterThan(100);
  }

  @Test
  void anObserverThatThrowsIsCountedNotFatal() {
    CapturingTransport transport = new CapturingTransport();
    try (Analytics a = Analytics.builder("metrics-test-key").transport(transport).shutdownHook(false)
        .deliveryObserver((m, b, r, o, s, d) -> {
          throw new IllegalStateException("observer bug");
        }).build()) {
      a.track("u", "E");
      assertThat(a.flush(Duration.ofSeconds(30)).isSuccess()).isTrue();
      assertThat(a.stats().callbackErrors()).isEqualTo(1);
      assertThat(a.stats().delivered()).isEqualTo(1);
    }
  }
}
