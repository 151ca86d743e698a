package dev.beacon.trackingplan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Page;
import dev.beacon.Track;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackingPlanTest {
  private final TrackingPlan plan = Plans.ecommerce();

  @Test
  void readsSegmentsExportWrappedInTrackingPlan() {
    assertThat(plan.name()).isEqualTo("Shop (eCommerce)");
    assertThat(plan.events()).contains("Order Completed", "Product Viewed", "Checkout Started");
    assertThat(plan.plans("Order Completed")).isTrue();
    assertThat(plan.plans("Order Complete")).isFalse();
  }

  @Test
  void aConformingOrderHasNoViolations() {
    assertThat(plan.check(Plans.order(Plans.orderProperties()))).isEmpty();
  }

  @Test
  void aMissingRequiredPropertyNamesTheEventPathAndRule() {
    Map<String, Object> props = new HashMap<>(Plans.orderProperties());
    props.remove("total");
    List<Violation> vs = plan.check(Plans.order(props));
    assertThat(vs).singleElement().satisfies(v -> {
      assertThat(v.event()).isEqualTo("Order Completed");
      assertThat(v.path()).isEqualTo("properties.total");
      assertThat(v.rule()).isEqualTo("required");
      assertThat(v.key()).isEqualTo("required properties.total");
    });
  }

  @Test
  void wrongTypesPatternsAndNestedListItemsAreReportedWithTheirPath() {
    Map<String, Object> props = new HashMap<>(Plans.orderProperties());
    props.put("total", "99.99");
    props.put("currency", "usd");
    props.put("products", List.of(Map.of("product_id", "P1", "price", 1, "quantity", 0)));
    List<Violation> vs = plan.check(Plans.order(props));
    assertThat(vs).extracting(Violation::key).containsExactlyInAnyOrder(
        "type properties.total", "pattern properties.currency", "minimum properties.products[].quantity");
    assertThat(vs).extracting(Violation::path).contains("properties.products[0].quantity");
  }

  @Test
  void anUnplannedEventIsOneUnplannedViolation() {
    List<Violation> vs = plan.check(Track.builder("Order Complete").userId("u").build());
    assertThat(vs).singleElement().satisfies(v -> {
      assertThat(v.unplanned()).isTrue();
      assertThat(v.event()).isEqualTo("Order Complete");
    });
  }

  @Test
  void identifyAndGroupAreCheckedAgainstTheirTraitsRulesAndGlobalAppliesToAll() {
    assertThat(plan.check(Identify.builder().userId("u").traits(Map.of("plan", "gold")).build()))
        .extracting(Violation::event, Violation::key).containsExactly(org.assertj.core.groups.Tuple.tuple(
            "identify", "enum traits.plan"));
    assertThat(plan.check(Group.builder("g").userId("u").traits(Map.of("employees", 5)).build()))
        .extracting(Violation::key).containsExactly("required traits.name");
    assertThat(plan.check(Page.builder().userId("u").context(Map.of("app", Map.of("version", "one"))).build()))
        .extracting(Violation::event, Violation::key).containsExactly(org.assertj.core.groups.Tuple.tuple(
            "page", "pattern context.app.version"));
  }

  @Test
  void checksWireJsonAsMaps() {
    Map<String, Object> json = Map.of("type", "track", "event", "Products Searched", "userId", "u",
        "properties", Map.of("query", 5));
    assertThat(plan.check(json)).extracting(Violation::key).containsExactly("type properties.query");
  }

  @Test
  void readsAnUnwrappedPlanWithDraft04SchemasAndPicksTheEventVersion() {
    String json = """
        {"rules": {"events": [
          {"name": "Signed Up", "version": 1, "rules": {"$schema": "http://json-schema.org/draft-04/schema#",
            "type": "object", "properties": {"properties": {"type": "object", "required": ["plan"],
            "properties": {"plan": {"type": "string"}, "seats": {"type": "integer", "minimum": 1, "exclusiveMinimum": true}}}}}},
          {"name": "Signed Up", "version": 2, "rules": {"type": "object", "properties": {"properties":
            {"type": "object", "required": ["plan", "seats"]}}}}
        ]}}""";
    TrackingPlan p = TrackingPlan.parse(json, "inline.json");
    // No version named: the highest (2) applies.
    assertThat(p.check(Track.builder("Signed Up").userId("u").properties(Map.of("plan", "pro")).build()))
        .extracting(Violation::key).containsExactly("required properties.seats");
    // Version 1 named in context.protocols.event_version: draft-04's boolean exclusiveMinimum applies.
    Track v1 = Track.builder("Signed Up").userId("u").properties(Map.of("plan", "pro", "seats", 1))
        .context(Map.of("protocols", Map.of("event_version", 1))).build();
    assertThat(p.check(v1)).extracting(Violation::key).containsExactly("minimum properties.seats");
  }

  @Test
  void badJsonNamesTheFileAndTheLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("plan.json");
    Files.writeString(f, "{\n  \"rules\": {\n    \"events\": [,]\n  }\n}");
    assertThatThrownBy(() -> TrackingPlan.load(f))
        .isInstanceOf(InvalidTrackingPlanException.class)
        .hasMessageStartingWith(f + ": /: not valid JSON at line 3");
  }

  @Test
  void structuralFaultsNameTheJsonPointer() {
    assertInvalid("{}", "/rules", "missing");
    assertInvalid("{\"tracking_plan\": {\"rules\": []}}", "/tracking_plan/rules", "expected an object");
    assertInvalid("{\"rules\": {\"events\": [{\"name\": \"A\", \"rules\": {}}, {\"name\": \" \", \"rules\": {}}]}}",
        "/rules/events/1/name", "non-blank");
    assertInvalid("{\"rules\": {\"events\": [{\"name\": \"A\", \"version\": 0, \"rules\": {}}]}}",
        "/rules/events/0/version", "positive integer");
    assertInvalid("{\"rules\": {\"events\": [{\"name\": \"A\"}]}}", "/rules/events/0/rules", "JSON Schema");
    assertInvalid("{\"rules\": {\"events\": [{\"name\": \"A\", \"rules\": {}}, {\"name\": \"A\", \"rules\": {}}]}}",
        "/rules/events/1", "listed twice");
  }

  @Test
  void anInvalidSchemaNamesThePointerInsideIt() {
    assertInvalid("{\"rules\": {\"events\": [{\"name\": \"A\", \"rules\": {\"type\": \"object\", \"properties\":"
        + " {\"properties\": {\"type\": \"object\", \"required\": \"total\"}}}}]}}",
        "/rules/events/0/rules/properties/properties/required", "not a valid JSON Schema"
            + " (http://json-schema.org/draft-07/schema#): string found, array expected");
    assertInvalid("{\"rules\": {\"identify\": {\"$schema\": \"http://example.com/my-draft\"}}}",
        "/rules/identify/$schema", "unknown JSON Schema draft");
  }

  private static void assertInvalid(String json, String pointer, String problem) {
    assertThatThrownBy(() -> TrackingPlan.parse(json, "p.json"))
        .isInstanceOfSatisfying(InvalidTrackingPlanException.class, e -> {
          assertThat(e.source()).isEqualTo("p.json");
          assertThat(e.pointer()).isEqualTo(pointer);
          assertThat(e.getMessage()).startsWith("p.json: " + pointer + ": ").contains(problem);
        });
  }
}
