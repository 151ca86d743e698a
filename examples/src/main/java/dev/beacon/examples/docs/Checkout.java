package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.MessageIds;
import dev.beacon.Track;
import java.util.Map;

/** Application code the testing examples test: it reports completed orders to Segment. */
public final class Checkout {
  private final Analytics analytics;

  /**
   * Creates the service.
   *
   * @param analytics the application's client, injected so tests can pass one wired to a capture
   */
  public Checkout(Analytics analytics) {
    this.analytics = analytics;
  }

  /**
   * Completes an order and tracks it.
   *
   * @param userId the buyer
   * @param orderId the order
   * @param revenue the order's revenue
   */
  public void complete(String userId, String orderId, double revenue) {
    analytics.enqueue(Track.builder("Order Completed")
        .userId(userId)
        .properties(Map.of("orderId", orderId, "revenue", revenue))
        .messageId(MessageIds.stable("order", orderId, "Order Completed"))
        .build());
  }
}
