package dev.beacon.examples.junit5;

import static dev.beacon.testkit.BeaconAssertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.testkit.BeaconExtension;
import dev.beacon.testkit.CapturingTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(BeaconExtension.class)
class SignupsTest {
  @Test
  void signUpIdentifiesAndTracks(Analytics analytics, CapturingTransport capture) {
    new Signups(analytics).signUp("user_1", "pro");
    analytics.flush();

    assertThat(capture).hasMessageCount(2);
    assertThat(capture).hasIdentified("user_1").withTrait("plan", "pro");
    assertThat(capture).hasTracked("Signed Up").withProperty("plan", "pro");
  }
}
