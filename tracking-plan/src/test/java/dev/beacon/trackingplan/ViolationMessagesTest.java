package dev.beacon.trackingplan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Violations read as Beacon's sentences after a path, and a misspelled event gets a suggestion. */
class ViolationMessagesTest {
  private static final TrackingPlan PLAN = Plans.ecommerce();

  private static Map<String, String> messages(Map<String, Object> message) {
    return PLAN.check(message).stream().collect(Collectors.toMap(Violation::key, Violation::message));
  }

  @Test
  void anUnplannedEventSuggestsTheNearestPlannedName() {
    assertThat(messages(Map.of("type", "track", "userId", "u", "event", "Order Complted")))
        .containsEntry("unplanned", "'Order Complted' is not in the tracking plan; did you mean 'Order Completed'?");
    assertThat(messages(Map.of("type", "track", "userId", "u", "event", "order completed")))
        .as("case alone").containsEntry("unplanned",
            "'order completed' is not in the tracking plan; did you mean 'Order Completed'?");
    assertThat(messages(Map.of("type", "track", "userId", "u", "event", "Subscription Renewed")))
        .as("nothing close").containsEntry("unplanned", "'Subscription Renewed' is not in the tracking plan");
  }

  @Test
  void aVeryLongEventNameGetsNoSuggestionAndCostsNoQuadraticWork() {
    String huge = "Order Completed".repeat(10_000);
    assertThat(messages(Map.of("type", "track", "userId", "u", "event", huge)).get("unplanned"))
        .endsWith("is not in the tracking plan");
  }

  @Test
  void validatorMessagesThatReadBadlyAreRephrasedWithoutTheValue() {
    Map<String, String> identify = messages(Map.of("type", "identify", "userId", "u",
        "traits", Map.of("email", "jane.doe-at-example.com", "plan", "gold")));
    assertThat(identify).containsEntry("format traits.email", "not a valid email address")
        .containsEntry("enum traits.plan", "not one of the allowed values [\"free\", \"premium\", \"enterprise\"]");
    assertThat(identify.values()).noneMatch(m -> m.contains("jane.doe") || m.contains("gold"));

    Map<String, String> order = messages(Map.of("type", "track", "userId", "u", "event", "Order Completed",
        "properties", Map.of("orderId", "", "total", "12", "currency", "usd",
            "products", List.of(Map.of("product_id", "p", "quantity", 0)))));
    assertThat(order).containsEntry("type properties.total", "a string, but the plan expects a number")
        .containsEntry("pattern properties.currency", "does not match the pattern ^[A-Z]{3}$")
        .containsEntry("minimum properties.products[].quantity", "must be at least 1")
        .containsEntry("minLength properties.orderId", "must be at least 1 character long");
  }

  @Test
  void aMessageWithoutBeaconsWordingIsKeptAsTheValidatorWroteIt() {
    assertThat(ViolationMessages.rephrase("required", "required property 'total' not found"))
        .isEqualTo("required property 'total' not found");
    assertThat(ViolationMessages.rephrase("format", "some future wording")).isEqualTo("some future wording");
    assertThat(ViolationMessages.rephrase("minItems", "must have at least 1 items but found 0"))
        .isEqualTo("must have at least 1 item (has 0)");
    assertThat(ViolationMessages.rephrase("format", "does not match the date-time pattern must be a valid RFC 3339 date-time"))
        .isEqualTo("not a valid date-time (RFC 3339, e.g. 2024-06-01T12:00:00Z)");
  }
}
