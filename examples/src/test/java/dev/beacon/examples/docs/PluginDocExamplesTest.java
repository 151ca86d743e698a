package dev.beacon.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.Track;
import dev.beacon.plugins.PropertyRedactor;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.trackingplan.TrackingPlan;
import dev.beacon.trackingplan.TrackingPlanPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the examples of docs/plugins.md and docs/tracking-plans.md. */
class PluginDocExamplesTest {
  /** The plan docs/tracking-plans.md shows (the tracking-plan module's tests keep the two equal). */
  static final Path PLAN = Path.of("../tracking-plan/src/test/resources/ecommerce-tracking-plan.json");

  private final CapturingTransport capture = new CapturingTransport();

  @Test
  void builtInsFilterEnrichAndRedactInOrder() {
    try (Analytics a = PluginExamples.builtIns(capture)) {
      assertThat(a.track("u1", "Health Checked")).isFalse();
      assertThat(a.screen("u1", "Home", null)).isFalse();
      assertThat(a.track("test-7", "Order Completed")).isFalse();
      assertThat(a.identify("u1", Map.of("email", "john@example.com"))).isTrue();
      assertThat(a.flush(Duration.ofSeconds(30)).complete()).isTrue();
      assertThat(a.stats().dropped(DropReason.FILTERED)).isEqualTo(3);
    }
    CapturedMessage m = capture.messages().get(0);
    assertThat(m.json().get("traits")).isEqualTo(Map.of("email", PropertyRedactor.sha256("john@example.com")));
    @SuppressWarnings("unchecked")
    Map<String, Object> context = (Map<String, Object>) m.json().get("context");
    assertThat(context).containsEntry("environment", "production")
        .containsEntry("app", Map.of("name", "shop", "version", "2.4.1", "build", "1187"));
  }

  @Test
  void theCustomPluginAddsTheVariantUnlessTheCallerSetIt() {
    var plugin = PluginExamples.experimentVariant(user -> "B");
    Track plain = (Track) plugin.apply(Track.builder("Clicked").userId("u").build());
    assertThat(plain.properties()).containsEntry("variant", "B");
    Track own = Track.builder("Clicked").userId("u").properties(Map.of("variant", "A")).build();
    assertThat(plugin.apply(own)).isSameAs(own);
  }

  @Test
  void trackingPlanExamplesBehaveAsDocumented() throws Exception {
    TrackingPlanPlugin checker = TrackingPlanExamples.warnInProduction(PLAN, capture);
    assertThat(checker.report().violations("Order Completed")).containsOnlyKeys(
        "required properties.currency", "required properties.products", "required properties.total");
    assertThat(capture.awaitMessages(1, Duration.ofSeconds(30))).hasSize(1);

    TrackingPlan plan = TrackingPlan.load(PLAN);
    assertThat(TrackingPlanExamples.strictInDevelopment(plan))
        .startsWith("tracking plan 'Shop (eCommerce)': ")
        .contains("Order Completed: properties.total: type: a string, but the plan expects a number");
    TrackingPlanExamples.conformsTo(plan);
  }
}
