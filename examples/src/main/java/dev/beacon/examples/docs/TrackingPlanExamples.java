package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.spi.MessageRejectedException;
import dev.beacon.spi.Transport;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.trackingplan.PlanReport;
import dev.beacon.trackingplan.TrackingPlan;
import dev.beacon.trackingplan.TrackingPlanPlugin;
import dev.beacon.trackingplan.assertions.TrackingPlanAssertions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** docs/tracking-plans.md: enforcing a Segment tracking plan at the call, and in tests. */
public final class TrackingPlanExamples {
  private TrackingPlanExamples() {}

  /**
   * Production: send everything, count and log what breaks the plan.
   *
   * @param planFile the plan Segment exported
   * @param transport where messages go
   * @return the plugin, to read its report
   * @throws IOException when the plan cannot be read
   */
  public static TrackingPlanPlugin warnInProduction(Path planFile, Transport transport) throws IOException {
    // tag::warn[]
    TrackingPlan plan = TrackingPlan.load(planFile);
    TrackingPlanPlugin checker = TrackingPlanPlugin.builder(plan)
        .mode(TrackingPlanPlugin.Mode.WARN)                             // send, count, log (bounded)
        .unplannedEvents(TrackingPlanPlugin.Unplanned.WARN)
        .build();
    try (Analytics analytics = Analytics.builder("test-key").transport(transport).plugin(checker).build()) {
      analytics.track("user_123", "Order Completed", Map.of("orderId", "ORD-1"));   // no total, no currency...
    }
    PlanReport report = checker.report();
    // report.violations("Order Completed") == {"required properties.currency": 1, "required properties.products": 1,
    //                                          "required properties.total": 1}
    // end::warn[]
    return checker;
  }

  /**
   * Development and tests: a call that breaks the plan throws.
   *
   * @param plan the plan
   * @return the exception's message
   */
  public static String strictInDevelopment(TrackingPlan plan) {
    // tag::strict[]
    Analytics analytics = Analytics.builder("test-key")
        .send(false)
        .plugin(TrackingPlanPlugin.builder(plan).mode(TrackingPlanPlugin.Mode.STRICT).build())
        .build();
    try {
      analytics.track("user_123", "Order Completed", Map.of("orderId", "ORD-1", "total", "99.99"));
      throw new AssertionError("expected the call to throw");
    } catch (MessageRejectedException e) {                // an IllegalArgumentException
      // "tracking plan 'Shop (eCommerce)': Order Completed: properties.total: type: a string, but the plan expects a number; ..."
      return e.getMessage();
    } finally {
      analytics.close();
    }
    // end::strict[]
  }

  /**
   * The testkit way: run the code under test against a capture, then check what it sent.
   *
   * @param plan the plan
   */
  public static void conformsTo(TrackingPlan plan) {
    // tag::conforms-to[]
    CapturingTransport capture = new CapturingTransport();
    try (Analytics analytics = Analytics.builder("test-key").transport(capture).build()) {
      analytics.track("user_123", "Order Completed", Map.of(
          "orderId", "ORD-123", "total", 99.99, "currency", "USD",
          "products", List.of(Map.of("product_id", "PROD-001", "price", 99.99, "quantity", 1))));
      analytics.flush();
    }
    TrackingPlanAssertions.assertThat(capture).conformsTo(plan);   // fails listing each violation
    // end::conforms-to[]
  }
}
