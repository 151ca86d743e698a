package dev.beacon.trackingplan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.trackingplan.assertions.TrackingPlanAssertions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecorderPlanAssertTest {
  private final TrackingPlan plan = Plans.ecommerce();
  private final CapturingTransport capture = new CapturingTransport();

  @Test
  void passesWhenEveryRecordedMessageConforms() {
    try (Analytics a = Analytics.builder("k").transport(capture).shutdownHook(false).build()) {
      a.enqueue(Plans.order(Plans.orderProperties()));
      a.identify("u1", Map.of("plan", "premium", "email", "a@example.com"));
      assertThat(a.flush().complete()).isTrue();
    }
    assertThat(capture.messages()).hasSize(2);
    TrackingPlanAssertions.assertThat(capture).conformsTo(plan);
  }

  @Test
  void failsListingEachViolationWithItsPositionEventPathAndRule() {
    Map<String, Object> props = new HashMap<>(Plans.orderProperties());
    props.remove("currency");
    try (Analytics a = Analytics.builder("k").transport(capture).shutdownHook(false).build()) {
      a.track("u1", "Products Searched", Map.of("query", "shoes"));
      a.enqueue(Plans.order(props));
      a.track("u1", "Debug Clicked");
      assertThat(a.flush().complete()).isTrue();
    }
    assertThatThrownBy(() -> TrackingPlanAssertions.assertThat(capture).conformsTo(plan))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("found 2 violation(s)")
        .hasMessageContaining("message 2 (messageId ")
        .hasMessageContaining("Order Completed: properties.currency: required")
        .hasMessageContaining("message 3 (messageId ")
        .hasMessageContaining("Debug Clicked: unplanned");
    assertThatThrownBy(() -> TrackingPlanAssertions.assertThat(capture).allowingUnplannedEvents().conformsTo(plan))
        .hasMessageContaining("found 1 violation(s)");
  }
}
