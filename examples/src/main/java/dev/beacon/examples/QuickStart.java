package dev.beacon.examples;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.Identify;
import dev.beacon.MessageIds;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CapturingTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The README's quick start, runnable offline: the same calls a service makes, delivered to the
 * testkit's in-memory capture instead of Segment so that it needs no write key or network.
 */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Runs every call of the quick start and prints what would have been sent.
   *
   * @param args unused
   */
  public static void main(String[] args) {
    CapturingTransport capture = new CapturingTransport();
    Stats stats = run(capture);
    for (CapturedMessage m : capture.messages()) {
      System.out.println(m.type() + " " + m.json());
    }
    System.out.println("stats: accepted=" + stats.accepted() + " delivered=" + stats.delivered()
        + " failed=" + stats.failed() + " dropped=" + stats.dropped() + " batches=" + stats.batches());
  }

  /**
   * The quick start itself, against any transport.
   *
   * @param transport where batches go; production code omits {@code .transport(...)} and gets
   *     the HTTP transport found on the class path
   * @return the client's counters after close
   */
  public static Stats run(dev.beacon.spi.Transport transport) {
    // tag::quickstart[]
    Analytics analytics = Analytics.builder("YOUR_WRITE_KEY")   // System.getenv("SEGMENT_WRITE_KEY")
        .transport(transport)                                    // omit: the HTTP transport is found
        .maxQueueSize(10_000)
        .flushAt(250)
        .flushInterval(Duration.ofSeconds(5))
        .onError((error, messages) ->
            System.err.println("not delivered: " + messages.size() + " " + error.getMessage()))
        .build();

    analytics.identify("user_123", Map.of("email", "john@example.com", "plan", "premium"));
    analytics.track("user_123", "Order Completed", Map.of("orderId", "ORD-12345", "revenue", 99.99));
    analytics.page("user_123", "Pricing", Map.of("url", "https://example.com/pricing"));
    analytics.screen("user_123", "Home", Map.of());
    analytics.group("user_123", "company_42", Map.of("name", "Acme"));
    analytics.alias("user_123", "anon_999");

    analytics.enqueue(Track.builder("Order Completed")
        .userId("user_123").anonymousId("a1")
        .properties(Map.of("total", 99.99, "products", List.of(Map.of("product_id", "PROD-001", "price", 89.99))))
        .context(Map.of("traits", Map.of("email", "john@example.com")))
        .integrations(Map.of("All", true))
        .timestamp(Instant.parse("2024-01-15T10:30:00Z"))
        .messageId(MessageIds.stable("order", "ORD-123", "Order Completed"))
        .build());
    analytics.enqueue(Identify.builder().anonymousId("anon_999").traits(Map.of("plan", "trial")).build());

    FlushResult flushed = analytics.flush(Duration.ofSeconds(5));
    if (!flushed.isSuccess()) {
      System.err.println("still pending: " + flushed.pending());
    }
    analytics.close();
    // end::quickstart[]
    return analytics.stats();
  }
}
