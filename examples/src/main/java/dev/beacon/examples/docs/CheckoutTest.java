package dev.beacon.examples.docs;

import static dev.beacon.testkit.BeaconAssertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.testkit.BeaconExtension;
import dev.beacon.testkit.CapturingTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test as an application writes it with {@link BeaconExtension}. It lives in the main
 * source set only so that the docs can quote it; {@code CheckoutTestRunsTest} runs it.
 */
// tag::extension[]
@ExtendWith(BeaconExtension.class)
public class CheckoutTest {
  @Test
  void completedOrdersAreTracked(Analytics analytics, CapturingTransport capture) {
    new Checkout(analytics).complete("user_123", "ORD-123", 99.99);
    analytics.flush();

    assertThat(capture).hasTracked("Order Completed").withProperty("orderId", "ORD-123");
  }
}
// end::extension[]
