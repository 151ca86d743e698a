package dev.beacon.examples;

import static dev.beacon.testkit.BeaconAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Stats;
import dev.beacon.testkit.CapturingTransport;
import org.junit.jupiter.api.Test;

class QuickStartTest {
  @Test
  void theReadmeQuickStartDeliversEveryCall() {
    CapturingTransport capture = new CapturingTransport();
    Stats stats = QuickStart.run(capture);
    assertThat(stats.accepted()).isEqualTo(8);
    assertThat(stats.delivered()).isEqualTo(8);
    assertThat(capture).hasMessageCount(8);
    assertThat(capture).hasIdentified("user_123").withTrait("plan", "premium");
    assertThat(capture).hasMessageWithId("bfa171f6-bc74-78ff-7ef0-e7b5a6a85826")
        .withProperty("total", 99.99).withTimestamp("2024-01-15T10:30:00.000Z")
        .withValue("context.traits.email", "john@example.com");
    assertThat(capture).hasMessageOfType("alias").withValue("previousId", "anon_999");
  }
}
