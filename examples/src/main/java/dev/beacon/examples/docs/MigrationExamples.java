package dev.beacon.examples.docs;

// tag::imports[]
import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.FlushResult;
import dev.beacon.Message;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.Track;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
// end::imports[]

/** The examples of docs/migrating-from-analytics-java.md: analytics-java patterns in Beacon. */
public final class MigrationExamples {
  private static final Logger log = LoggerFactory.getLogger(MigrationExamples.class);

  private MigrationExamples() {}

  /**
   * The client an analytics-java user typically builds, option for option.
   *
   * @param transport where batches go (omit {@code .transport(...)} in production)
   * @param threads the thread factory the application already uses
   * @return the client
   */
  public static Analytics client(Transport transport, ThreadFactory threads) {
    // tag::builder[]
    Analytics analytics = Analytics.builder(System.getenv().getOrDefault("SEGMENT_WRITE_KEY", "YOUR_WRITE_KEY"))
        .transport(transport)                          // omit: the HTTP transport is found on the class path
        .flushAt(250)                                  // flushQueueSize(250)
        .flushInterval(Duration.ofSeconds(10))         // flushInterval(10, TimeUnit.SECONDS)
        .maxQueueSize(10_000)                          // queueCapacity(10_000), but never unbounded
        .queueFullPolicy(QueueFullPolicy.dropNewest()) // offer(...) semantics; block(timeout) for put()
        .retryPolicy(RetryPolicy.builder().maxRetries(3).build()) // retries(3)
        .threadFactory(threads)                        // threadFactory(...)
        .onError((DeliveryException error, List<Message> messages) ->   // Callback.failure(...)
            log.warn("{} message(s) not delivered: {}", messages.size(), error.reason(), error))
        .onDelivered(messages -> log.debug("{} message(s) delivered", messages.size())) // Callback.success(...)
        .build();
    // end::builder[]
    return analytics;
  }

  /**
   * An analytics-java {@code TrackMessage.builder(...)} call in Beacon.
   *
   * @param analytics the client
   * @return whether the message was accepted
   */
  public static boolean trackWithEveryField(Analytics analytics) {
    // tag::message[]
    boolean accepted = analytics.enqueue(Track.builder("Order Completed")  // TrackMessage.builder(...)
        .userId("user_123")
        .properties(Map.of("orderId", "ORD-123", "revenue", 99.99))
        .context(Map.of("ip", "203.0.113.7"))
        .integrations(Map.of("All", false, "Mixpanel", true))    // enableIntegration(...)
        .timestamp(Instant.parse("2024-01-15T10:30:00Z"))         // timestamp(Date)
        .messageId("order-ORD-123-completed")                     // messageId(String or UUID)
        .build());                                                // Beacon's enqueue takes the message
    if (!accepted) {
      log.warn("queue full or client closed: see analytics.stats().droppedByReason()");
    }
    // end::message[]
    return accepted;
  }

  /**
   * analytics-java's {@code flush()} and {@code shutdown()} in Beacon.
   *
   * @param analytics the client, closed on return
   * @return what close achieved
   */
  public static FlushResult flushAndClose(Analytics analytics) {
    // tag::shutdown[]
    FlushResult flushed = analytics.flush();             // waits (flushTimeout, 60 s) instead of returning at once
    if (!flushed.isSuccess()) {
      log.warn("{} message(s) still pending after flush", flushed.pending());
    }
    FlushResult closed = analytics.close(Duration.ofSeconds(10)); // shutdown(): bounded, reports what is left
    long delivered = analytics.stats().delivered();      // what Callback.success would have counted
    // end::shutdown[]
    log.info("delivered {}", delivered);
    return closed;
  }
}
