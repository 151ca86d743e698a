package dev.beacon.engine;

import static dev.beacon.testkit.BeaconAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.testkit.CapturingTransport;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void tracksAndFlushes() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = Analytics.builder("k").transport(capture).shutdownHook(false).build()) {
      assertThat(a.track("u1", "Order Completed", Map.of("orderId", "ORD-1", "revenue", 99.99))).isTrue();
      assertThat(a.flush(Duration.ofSeconds(5)).complete()).isTrue();
      assertThat(capture).hasTracked("Order Completed").withProperty("revenue", 99.99).withUserId("u1");
      assertThat(a.stats().delivered()).isEqualTo(1);
    }
  }
}
