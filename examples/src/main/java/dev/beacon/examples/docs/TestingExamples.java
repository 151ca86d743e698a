package dev.beacon.examples.docs;

import static dev.beacon.testkit.BeaconAssertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.FailureReason;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** The guide's "Testing" section: each method is a test body that throws when it fails. */
public final class TestingExamples {
  private TestingExamples() {}

  /**
   * With {@code send(false)} messages are validated, batched and counted, never sent.
   *
   * @return the counters after the flush
   */
  public static Stats sendFalse() {
    // tag::send-false[]
    Analytics analytics = Analytics.builder("test-key")
        .send(false)                 // no transport needed, nothing leaves the process
        .build();

    analytics.identify("test", Map.of("name", "Test User"));
    analytics.track("test", "Test Event");
    analytics.flush();               // returns as soon as both are processed

    Stats stats = analytics.stats(); // accepted == 2, notSent == 2, delivered == 0
    analytics.close();
    // end::send-false[]
    return stats;
  }

  /**
   * Captures what the code under test sends, and asserts on it.
   */
  public static void capture() {
    // tag::capture[]
    CapturingTransport capture = new CapturingTransport();
    try (Analytics analytics = Analytics.builder("test-key").transport(capture).build()) {
      new Checkout(analytics).complete("user_123", "ORD-123", 99.99);
      analytics.flush();

      assertThat(capture).hasMessageCount(1)
          .hasTracked("Order Completed")
          .withUserId("user_123")
          .withProperty("orderId", "ORD-123")
          .withProperty("revenue", 99.99)
          .withMessageId("bfa171f6-bc74-78ff-7ef0-e7b5a6a85826");
    }
    // end::capture[]
  }

  /**
   * Scripted faults exercise retries and the error callback without a network.
   */
  public static void faults() {
    // tag::faults[]
    CapturingTransport capture = new CapturingTransport()
        .failNext(2, Fault.retryable(503));       // two 503s, then delivered
    AtomicReference<FailureReason> failure = new AtomicReference<>();
    try (Analytics analytics = Analytics.builder("test-key")
        .transport(capture)
        .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).jitter(false).build())
        .onError((error, messages) -> failure.set(error.reason()))
        .build()) {
      analytics.track("user_123", "Order Completed", Map.of("orderId", "ORD-1"));
      analytics.flush();
      assertThat(capture).hasTracked("Order Completed").withProperty("orderId", "ORD-1");

      capture.failNext(1, Fault.permanent(400));  // refused for good: not retried, reported
      analytics.track("user_123", "Order Refunded", Map.of("orderId", "ORD-1"));
      analytics.flush();
      assertThat(capture).hasNotTracked("Order Refunded");
      if (failure.get() != FailureReason.REJECTED || analytics.stats().retries() != 2) {
        throw new AssertionError("expected two retries and one rejection, got " + analytics.stats());
      }
    }
    // end::faults[]
  }
}
