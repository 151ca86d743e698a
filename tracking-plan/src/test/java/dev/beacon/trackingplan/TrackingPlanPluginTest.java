package dev.beacon.trackingplan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.Track;
import dev.beacon.spi.PluginProvider;
import dev.beacon.trackingplan.TrackingPlanPlugin.Mode;
import dev.beacon.trackingplan.TrackingPlanPlugin.Unplanned;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrackingPlanPluginTest {
  private static final TrackingPlan PLAN = Plans.ecommerce();

  private static Map<String, Object> withoutTotal() {
    Map<String, Object> props = new HashMap<>(Plans.orderProperties());
    props.remove("total");
    return props;
  }

  private static Analytics client(TrackingPlanPlugin plugin) {
    return Analytics.builder("k").send(false).shutdownHook(false).plugin(plugin).build();
  }

  @Test
  void warnSendsTheMessageAndCountsPerEventAndRule() {
    TrackingPlanPlugin p = TrackingPlanPlugin.builder(PLAN).mode(Mode.WARN).build();
    try (Analytics a = client(p)) {
      assertThat(a.enqueue(Plans.order(withoutTotal()))).isTrue();
      assertThat(a.enqueue(Plans.order(withoutTotal()))).isTrue();
      assertThat(a.enqueue(Plans.order(Plans.orderProperties()))).isTrue();
      assertThat(a.stats().accepted()).isEqualTo(3);
    }
    PlanReport r = p.report();
    assertThat(r.checked()).isEqualTo(3);
    assertThat(r.violating()).isEqualTo(2);
    assertThat(r.dropped()).isZero();
    assertThat(r.violations("Order Completed")).containsExactly(Map.entry("required properties.total", 2L));
    assertThat(r.totalViolations()).isEqualTo(2);
  }

  @Test
  void dropRefusesTheCallCountedAsFiltered() {
    TrackingPlanPlugin p = TrackingPlanPlugin.builder(PLAN).mode(Mode.DROP).build();
    try (Analytics a = client(p)) {
      assertThat(a.enqueue(Plans.order(withoutTotal()))).isFalse();
      assertThat(a.enqueue(Plans.order(Plans.orderProperties()))).isTrue();
      assertThat(a.stats().dropped(DropReason.FILTERED)).isEqualTo(1);
    }
    assertThat(p.report().dropped()).isEqualTo(1);
  }

  @Test
  void strictThrowsNamingTheEventThePathAndTheRule() {
    TrackingPlanPlugin p = TrackingPlanPlugin.builder(PLAN).mode(Mode.STRICT).build();
    try (Analytics a = client(p)) {
      assertThatThrownBy(() -> a.enqueue(Plans.order(withoutTotal())))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Order Completed: properties.total: required");
      assertThat(a.stats().accepted()).isZero();
      assertThat(a.stats().pluginErrors()).isZero();
    }
    assertThat(p.report().rejected()).isEqualTo(1);
  }

  @Test
  void unplannedEventsFollowTheModeUnlessAnOptionIsSet() {
    Track unplanned = Track.builder("Order Complete").userId("u").build();
    assertThatThrownBy(() -> TrackingPlanPlugin.builder(PLAN).mode(Mode.STRICT).build().apply(unplanned))
        .hasMessageContaining("Order Complete: unplanned");
    assertThat(TrackingPlanPlugin.builder(PLAN).mode(Mode.STRICT).unplannedEvents(Unplanned.ALLOW).build()
        .apply(unplanned)).isSameAs(unplanned);
    TrackingPlanPlugin warn = TrackingPlanPlugin.builder(PLAN).mode(Mode.DROP).unplannedEvents(Unplanned.WARN).build();
    assertThat(warn.apply(unplanned)).isSameAs(unplanned);
    assertThat(warn.report().violations("Order Complete")).containsExactly(Map.entry("unplanned", 1L));
    assertThat(TrackingPlanPlugin.builder(PLAN).mode(Mode.WARN).unplannedEvents(Unplanned.DROP).build()
        .apply(unplanned)).isNull();
  }

  @Test
  void distinctEventsCountedAreBounded() {
    TrackingPlanPlugin p = TrackingPlanPlugin.builder(PLAN).build();
    for (int i = 0; i < TrackingPlanPlugin.MAX_EVENTS + 50; i++) {
      p.apply(Track.builder("Random " + i).userId("u").build());
    }
    PlanReport r = p.report();
    assertThat(r.violations()).hasSize(TrackingPlanPlugin.MAX_EVENTS + 1);
    assertThat(r.violations(TrackingPlanPlugin.OTHER)).containsExactly(Map.entry("unplanned", 50L));
    assertThat(r.totalViolations()).isEqualTo(TrackingPlanPlugin.MAX_EVENTS + 50);
  }

  @Test
  void theProviderIsFoundByNameAndReadsItsSettings() {
    PluginProvider provider = PluginProvider.find(TrackingPlanPluginProvider.NAME);
    TrackingPlanPlugin p = (TrackingPlanPlugin) provider.create(Map.of(
        "plan", Plans.ecommerceFile().toString(), "mode", "drop", "unplanned", "allow"));
    assertThat(p.apply(Plans.order(withoutTotal()))).isNull();
    assertThat(p.toString()).contains("DROP", "ALLOW");
    assertThatThrownBy(() -> provider.create(Map.of("plan", Plans.ecommerceFile().toString(), "mode", "loud")))
        .hasMessageContaining("'mode' must be one of [warn, drop, strict]");
    assertThatThrownBy(() -> PluginProvider.find("nope")).hasMessageContaining("tracking-plan");
  }
}
