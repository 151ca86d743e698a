package dev.beacon.testkit;

import static dev.beacon.testkit.BeaconAssertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BeaconExtensionRegisteredTest {
  @RegisterExtension
  final BeaconExtension beacon = new BeaconExtension(b -> b.flushAt(5));

  @Test
  void aRegisteredExtensionExposesItsClientAndCapture() {
    beacon.analytics().identify("user_2", Map.of("email", "a@b.c"));
    beacon.analytics().flush(Duration.ofSeconds(10));
    assertThat(beacon.capture()).hasIdentified("user_2").withTrait("email", "a@b.c");
  }
}
