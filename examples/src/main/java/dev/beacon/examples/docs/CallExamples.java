package dev.beacon.examples.docs;

import dev.beacon.Alias;
import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.MessageIds;
import dev.beacon.Page;
import dev.beacon.Screen;
import dev.beacon.Track;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The six calls, short and full forms: the guide's "Core concepts" and call sections. */
public final class CallExamples {
  private CallExamples() {}

  /**
   * Identify, track, then flush before exit.
   *
   * @param analytics a running client
   * @return what the flush achieved
   */
  public static FlushResult flushMechanism(Analytics analytics) {
    // tag::flush-mechanism[]
    analytics.identify("123", Map.of("email", "user@example.com"));
    analytics.track("123", "Order Completed", Map.of("total", 99.99));

    // Waits until everything accepted so far is delivered or reported to onError, at most 10 s.
    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    // end::flush-mechanism[]
    return result;
  }

  /**
   * The short identify call.
   *
   * @param analytics a running client
   */
  public static void identifyBasic(Analytics analytics) {
    // tag::identify-basic[]
    analytics.identify("user_123", Map.of(
        "email", "john@example.com",
        "firstName", "John",
        "lastName", "Doe"));
    // end::identify-basic[]
  }

  /**
   * Identify with every field.
   *
   * @param analytics a running client
   * @return whether the message was accepted
   */
  public static boolean identifyFull(Analytics analytics) {
    // tag::identify-full[]
    boolean accepted = analytics.enqueue(Identify.builder()
        .userId("user_123")                        // your internal user id
        .traits(Map.of(
            // standard traits (Segment recognizes these)
            "email", "john@example.com",
            "firstName", "John",
            "lastName", "Doe",
            "phone", "+1-555-555-5555",
            "address", Map.of(
                "street", "123 Main St",
                "city", "San Francisco",
                "state", "CA",
                "postalCode", "94105",
                "country", "US"),
            "createdAt", Instant.parse("2024-01-15T10:30:00Z"),   // sent as ISO-8601
            // custom traits (anything you want)
            "plan", "premium",
            "loyaltyPoints", 500,
            "lifetimeValue", 1250.00))
        .context(Map.of(                           // external ids for identity resolution
            "externalIds", List.of(Map.of(
                "id", "CUST_12345",
                "type", "customerId",
                "collection", "users",
                "encoding", "none"))))
        .timestamp(Instant.now())                  // when it happened; default: now
        .messageId("unique-id-123")                // de-duplication key; default: a random UUID
        .build());
    // end::identify-full[]
    return accepted;
  }

  /**
   * The short track call.
   *
   * @param analytics a running client
   */
  public static void trackBasic(Analytics analytics) {
    // tag::track-basic[]
    analytics.track("user_123", "Order Completed", Map.of(
        "orderId", "ORD-12345",
        "total", 99.99));
    // end::track-basic[]
  }

  /**
   * Track with every field, following the eCommerce spec.
   *
   * @param analytics a running client
   * @return whether the message was accepted
   */
  public static boolean trackFull(Analytics analytics) {
    // tag::track-full[]
    boolean accepted = analytics.enqueue(Track.builder("Order Completed")   // Title Case, past tense
        .userId("user_123")
        .properties(Map.ofEntries(
            // order info
            Map.entry("orderId", "ORD-12345"),
            Map.entry("revenue", 99.99),
            Map.entry("subtotal", 89.99),
            Map.entry("tax", 8.00),
            Map.entry("shipping", 5.00),
            Map.entry("discount", 10.00),
            Map.entry("coupon", "SAVE10"),
            Map.entry("currency", "USD"),
            // products (eCommerce spec)
            Map.entry("products", List.of(Map.of(
                "product_id", "PROD-001",
                "sku", "SKU-001",
                "name", "Running Shoes",
                "price", 89.99,
                "quantity", 1,
                "category", "Footwear",
                "brand", "Nike"))),
            // custom properties
            Map.entry("storeId", "STORE-123"),
            Map.entry("paymentMethod", "Credit Card")))
        .context(Map.of("traits", Map.of("email", "john@example.com")))   // helps identity resolution
        .timestamp(Instant.now())
        .messageId(MessageIds.stable("order", "ORD-12345", "Order Completed"))
        .build());
    // end::track-full[]
    return accepted;
  }

  /**
   * Page views, short and full.
   *
   * @param analytics a running client
   */
  public static void page(Analytics analytics) {
    // tag::page[]
    analytics.page("user_123", "Pricing", Map.of("url", "https://example.com/pricing"));

    analytics.enqueue(Page.builder()
        .anonymousId("anon_999")                   // a visitor who has not logged in
        .name("Running Shoes")
        .category("Footwear")
        .properties(Map.of(
            "url", "https://example.com/shoes/running",
            "title", "Running Shoes | Example",
            "referrer", "https://www.google.com/"))
        .build());
    // end::page[]
  }

  /**
   * Screen views, short and full.
   *
   * @param analytics a running client
   */
  public static void screen(Analytics analytics) {
    // tag::screen[]
    analytics.screen("user_123", "Home", Map.of());

    analytics.enqueue(Screen.builder()
        .userId("user_123")
        .name("Product Detail")
        .category("Catalog")
        .properties(Map.of("product_id", "PROD-001"))
        .build());
    // end::screen[]
  }

  /**
   * Group membership, short and full.
   *
   * @param analytics a running client
   */
  public static void group(Analytics analytics) {
    // tag::group[]
    analytics.group("user_123", "company_42", Map.of("name", "Acme"));

    analytics.enqueue(Group.builder("company_42")
        .userId("user_123")
        .traits(Map.of(
            "name", "Acme",
            "industry", "Retail",
            "employees", 250,
            "plan", "enterprise"))
        .build());
    // end::group[]
  }

  /**
   * Alias: merges an anonymous visitor into the user who just signed up.
   *
   * @param analytics a running client
   */
  public static void alias(Analytics analytics) {
    // tag::alias[]
    analytics.alias("user_123", "anon_999");       // userId, previousId

    analytics.enqueue(Alias.builder("anon_999")    // previousId
        .userId("user_123")                        // required for alias
        .timestamp(Instant.parse("2024-01-15T10:30:00Z"))
        .build());
    // end::alias[]
  }
}
