package dev.beacon.examples.junit5;

import static dev.beacon.testkit.BeaconAssertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.testkit.CollectorExtension;
import dev.beacon.testkit.CollectorServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SignupsOverHttpTest {
  @RegisterExtension
  static final CollectorExtension collector = new CollectorExtension();

  @Test
  void signUpReachesTheCollectorOverHttp() {
    try (Analytics analytics = Analytics.builder(CollectorServer.DEFAULT_WRITE_KEY)
        .endpoint(collector.uri()).shutdownHook(false).build()) {
      new Signups(analytics).signUp("user_2", "free");
    }

    assertThat(collector.server()).hasTracked("Signed Up").withUserId("user_2");
  }

  @Test
  void aParameterGetsTheSameServer(CollectorServer server) {
    try (Analytics analytics = Analytics.builder(CollectorServer.DEFAULT_WRITE_KEY)
        .endpoint(server.uri()).shutdownHook(false).build()) {
      new Signups(analytics).signUp("user_3", "team");
    }

    assertThat(server).hasIdentified("user_3").withTrait("plan", "team");
  }
}
