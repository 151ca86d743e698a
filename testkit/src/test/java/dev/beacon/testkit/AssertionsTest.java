package dev.beacon.testkit;

import static dev.beacon.testkit.BeaconAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.Track;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssertionsTest {
  private static CapturingTransport captured() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = Analytics.builder("k").transport(capture).shutdownHook(false).build()) {
      a.track("user_123", "Order Completed", Map.of("orderId", "ORD-123", "revenue", 99.99,
          "products", List.of(Map.of("sku", "SKU-1"))));
      a.enqueue(Track.builder("Dup").userId("u").messageId("same").build());
      a.enqueue(Track.builder("Dup").userId("u").messageId("same").build());
      a.flush(Duration.ofSeconds(10));
    }
    return capture;
  }

  @Test
  void passesOnWhatWasSent() {
    CapturingTransport c = captured();
    assertThat(c).hasTracked("Order Completed").withProperty("orderId", "ORD-123")
        .withProperty("revenue", 99.99).withProperty("products[0].sku", "SKU-1")
        .withValue("context.library.name", "beacon-java");
    assertThat(c).hasMessageCount(3).hasNotTracked("Never");
  }

  @Test
  void failsWithAMessageThatSaysWhatWasRecorded() {
    CapturingTransport c = captured();
    assertThatThrownBy(() -> assertThat(c).hasTracked("Order Cancelled"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Order Cancelled").hasMessageContaining("track(Order Completed)[user_123]");
    assertThatThrownBy(() -> assertThat(c).hasTracked("Order Completed").withProperty("orderId", "ORD-999"))
        .hasMessageContaining("properties.orderId").hasMessageContaining("ORD-999").hasMessageContaining("ORD-123");
    assertThatThrownBy(() -> assertThat(c).hasNoDuplicateMessageIds()).hasMessageContaining("same");
    assertThatThrownBy(() -> assertThat(c).hasMessageCount(1)).hasMessageContaining("Expected 1");
  }

  @Test
  void anAssertionOnAnEmptyCaptureSuggestsFlushingFirst() {
    CapturingTransport c = new CapturingTransport();
    try (Analytics a = Analytics.builder("k").transport(c).shutdownHook(false)
        .flushAt(100).flushInterval(Duration.ofHours(1)).build()) {
      a.track("u", "Not Yet Sent");

      assertThatThrownBy(() -> assertThat(c).hasTracked("Not Yet Sent"))
          .isInstanceOf(AssertionError.class).hasMessageContaining("analytics.flush()");
      assertThatThrownBy(() -> assertThat(c).hasMessageCount(1))
          .hasMessageContaining("Expected 1 message(s) but 0 were recorded").hasMessageContaining("flush()");
    }
  }

  @Test
  void awaitMessagesFailsClearlyWhenTooFewArrive() {
    CapturingTransport c = new CapturingTransport();
    assertThatThrownBy(() -> c.awaitMessages(1, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("but 0 arrived");
  }

  @Test
  void resetForgetsMessagesAndFaults() {
    CapturingTransport c = captured();
    c.failNext(5, Fault.permanent(400));
    c.reset();
    assertThat(c).isEmpty();
    org.assertj.core.api.Assertions.assertThat(c.isClosed()).isFalse();
    try (Analytics a = Analytics.builder("k").transport(c).shutdownHook(false).build()) {
      a.track("u", "After Reset");
      a.flush(Duration.ofSeconds(10));
    }
    assertThat(c).hasTracked("After Reset");
  }
}
