package dev.beacon.testkit;

import static dev.beacon.testkit.BeaconAssertions.assertThat;

import dev.beacon.Analytics;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(BeaconExtension.class)
class BeaconExtensionTest {
  @Test
  void injectsAClientWiredToACapture(Analytics analytics, CapturingTransport capture) {
    analytics.track("user_1", "Signed Up", Map.of("plan", "trial"));
    analytics.flush(Duration.ofSeconds(10));
    assertThat(capture).hasTracked("Signed Up").withProperty("plan", "trial").withUserId("user_1");
  }
}
