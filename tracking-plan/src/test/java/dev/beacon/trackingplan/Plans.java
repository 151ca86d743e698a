package dev.beacon.trackingplan;

import dev.beacon.Track;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The eCommerce plan of docs/tracking-plans.md, and a conforming Order Completed. */
final class Plans {
  private Plans() {}

  static Path ecommerceFile() {
    try {
      return Path.of(Plans.class.getResource("/ecommerce-tracking-plan.json").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static TrackingPlan ecommerce() {
    try {
      return TrackingPlan.load(ecommerceFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> orderProperties() {
    return Map.of("orderId", "ORD-1", "total", 99.99, "revenue", 89.99, "tax", 8.0, "shipping", 2.0,
        "currency", "USD", "coupon", "SAVE10", "discount", 10.0, "subtotal", 89.99,
        "products", List.of(Map.of("product_id", "P1", "price", 89.99, "quantity", 1, "name", "Shoes")));
  }

  static Track order(Map<String, ?> properties) {
    return Track.builder("Order Completed").userId("u1").properties(properties).build();
  }
}
