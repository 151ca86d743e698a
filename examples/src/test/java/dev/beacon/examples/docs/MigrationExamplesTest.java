package dev.beacon.examples.docs;

import static dev.beacon.testkit.BeaconAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.testkit.CapturingTransport;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Runs the examples of docs/migrating-from-analytics-java.md against a capture. */
class MigrationExamplesTest {
  private final CapturingTransport capture = new CapturingTransport();

  @Test
  void theMigratedClientSendsTheFullTrackAndClosesCleanly() {
    Analytics analytics = MigrationExamples.client(capture, Executors.defaultThreadFactory());

    assertThat(MigrationExamples.trackWithEveryField(analytics)).isTrue();
    FlushResult closed = MigrationExamples.flushAndClose(analytics);

    assertThat(closed.isSuccess()).isTrue();
    assertThat(analytics.stats().delivered()).isEqualTo(1);
    assertThat(capture).hasTracked("Order Completed")
        .withMessageId("order-ORD-123-completed")
        .withProperty("orderId", "ORD-123")
        .withValue("integrations.Mixpanel", true)
        .withValue("context.ip", "203.0.113.7")
        .withTimestamp("2024-01-15T10:30:00.000Z");
  }
}
