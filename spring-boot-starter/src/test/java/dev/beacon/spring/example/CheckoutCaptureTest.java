package dev.beacon.spring.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.spring.AutoConfigureBeaconCapture;
import dev.beacon.testkit.BeaconAssertions;
import dev.beacon.testkit.CapturingTransport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The test slice: the shop's client sends to a CapturingTransport, with no write key and no network. */
@SpringBootTest(properties = "beacon.write-key=")
@AutoConfigureBeaconCapture
class CheckoutCaptureTest {
  @Autowired CheckoutController checkout;
  @Autowired Analytics analytics;
  @Autowired CapturingTransport capture;

  @BeforeEach
  void forget() {
    capture.reset();   // the context, and so the capture, is cached across test classes
  }

  @Test
  void checkoutTracksOrderCompleted() {
    checkout.checkout("ORD-9", "user_9", 42.0);
    assertThat(analytics.flush().isSuccess()).isTrue();

    BeaconAssertions.assertThat(capture).hasTracked("Order Completed")
        .withUserId("user_9").withProperty("orderId", "ORD-9");
  }
}
