package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.MessageIds;
import dev.beacon.QueueFullPolicy;
import dev.beacon.Track;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/** The guide's "Best practices" section. */
public final class BestPracticeExamples {
  private BestPracticeExamples() {}

  /**
   * An order from your database, as a backfill reads it.
   *
   * @param id the order id
   * @param userId the buyer's stable user id
   * @param revenue the order's revenue
   * @param completedAt when the order was completed
   */
  public record Order(String id, String userId, double revenue, Instant completedAt) {}

  /**
   * What a backfill achieved.
   *
   * @param refused messages the client did not accept (queue full beyond the block timeout)
   * @param flush what the final flush achieved
   */
  public record BackfillResult(long refused, FlushResult flush) {}

  /**
   * Identify by your database id, not by something that changes.
   *
   * @param analytics a running client
   * @param traits the user's traits
   */
  public static void stableUserId(Analytics analytics, Map<String, ?> traits) {
    // tag::stable-user-id[]
    // Good: your internal database id never changes
    analytics.identify("db_user_12345", traits);

    // Bad: an email address can change, and then one person becomes two users
    analytics.identify("john@example.com", traits);
    // end::stable-user-id[]
  }

  /**
   * Derives the message id from the business event, so retries and re-runs keep it.
   *
   * @param analytics a running client
   * @return the id used
   */
  public static String stableMessageId(Analytics analytics) {
    // tag::stable-message-id[]
    // Same inputs, same id: "bfa171f6-bc74-78ff-7ef0-e7b5a6a85826", exactly what the
    // analytics-python guide's generate_message_id("order", "ORD-123", "Order Completed") returns.
    String messageId = MessageIds.stable("order", "ORD-123", "Order Completed");

    analytics.enqueue(Track.builder("Order Completed")
        .userId("123")
        .properties(Map.of("orderId", "ORD-123", "revenue", 99.99))
        .messageId(messageId)
        .build());
    // end::stable-message-id[]
    return messageId;
  }

  /**
   * A client tuned for bulk imports: a producer that outruns the network waits instead of dropping.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return a running client
   */
  public static Analytics backfillClient(String writeKey, Transport transport) {
    // tag::backfill-client[]
    Analytics analytics = Analytics.builder(writeKey)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30)))   // wait for room, don't drop
        .shutdownTimeout(Duration.ofMinutes(1))
        .transport(transport)
        .build();
    // end::backfill-client[]
    return analytics;
  }

  /**
   * Sends historical orders with their real time and a stable id, then flushes once.
   *
   * @param analytics a running client
   * @param orders the orders to send
   * @return how many were refused, and what the flush achieved
   */
  public static BackfillResult backfill(Analytics analytics, List<Order> orders) {
    // tag::backfill[]
    long refused = 0;
    for (Order order : orders) {
      boolean accepted = analytics.enqueue(Track.builder("Order Completed")
          .userId(order.userId())
          .properties(Map.of("orderId", order.id(), "revenue", order.revenue()))
          .timestamp(order.completedAt())                                       // when it happened
          .messageId(MessageIds.stable("order", order.id(), "Order Completed")) // re-runs deduplicate
          .build());
      if (!accepted) {
        refused++;                   // queue still full after the block timeout: log, retry later
      }
    }
    // Batching is automatic: one flush at the end waits for the last batches.
    FlushResult result = analytics.flush(Duration.ofMinutes(5));
    // end::backfill[]
    return new BackfillResult(refused, result);
  }

  /**
   * A historical event carries the time it happened, not the time it was sent.
   *
   * @param analytics a running client
   */
  public static void historicalTimestamp(Analytics analytics) {
    // tag::historical-timestamp[]
    analytics.enqueue(Track.builder("Order Completed")
        .userId("123")
        .properties(Map.of("orderId", "ORD-77", "revenue", 42.50))
        .timestamp(ZonedDateTime.of(2024, 1, 15, 10, 30, 0, 0, ZoneOffset.UTC).toInstant())
        .build());
    // end::historical-timestamp[]
  }

  /**
   * Context traits help Segment match the user.
   *
   * @param analytics a running client
   */
  public static void contextForIdentity(Analytics analytics) {
    // tag::context-identity[]
    analytics.enqueue(Track.builder("Order Completed")
        .userId("123")
        .properties(Map.of("orderId", "ORD-78", "revenue", 19.99))
        .context(Map.of("traits", Map.of("email", "john@example.com")))
        .build());
    // end::context-identity[]
  }
}
