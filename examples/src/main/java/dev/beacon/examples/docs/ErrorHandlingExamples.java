package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.FailureReason;
import dev.beacon.Message;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;

/** The guide's "Error handling" section. */
public final class ErrorHandlingExamples {
  private ErrorHandlingExamples() {}

  /**
   * A client whose final failures are logged and kept for a later retry.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @param undelivered where the callback puts messages that were not delivered
   * @return a running client
   */
  public static Analytics withErrorCallback(String writeKey, Transport transport, Queue<Message> undelivered) {
    // tag::on-error[]
    // Runs on a Beacon thread once per failed batch: keep it short, never block.
    Analytics analytics = Analytics.builder(writeKey)
        .onError((error, messages) -> {
          System.err.println("Segment error: " + error.getMessage()); // reason, HTTP status, count
          if (error.reason() != FailureReason.UNAUTHORIZED) {        // a bad write key stays bad
            undelivered.addAll(messages);   // e.g. a ConcurrentLinkedQueue, re-enqueued later
          }
        })
        .transport(transport)
        .build();
    // end::on-error[]
    return analytics;
  }

  /**
   * Retries configured once, for every batch.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return a running client
   */
  public static Analytics withRetryPolicy(String writeKey, Transport transport) {
    // tag::retry-policy[]
    Analytics analytics = Analytics.builder(writeKey)
        .retryPolicy(RetryPolicy.builder()
            .baseDelay(Duration.ofSeconds(1))       // first backoff (default 500 ms), doubling
            .maxDelay(Duration.ofSeconds(30))       // cap of one backoff (default 60 s)
            .maxRetries(3)                          // retries after the first attempt (default 10)
            .totalDeadline(Duration.ofMinutes(10))  // give up after this long (default 12 h)
            .build())
        .transport(transport)
        .build();
    // end::retry-policy[]
    return analytics;
  }

  /**
   * Sync mode: each call returns after delivery and throws when delivery finally failed.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return the status of the failure, or 0 when the call was delivered
   */
  public static int syncMode(String writeKey, Transport transport) {
    // tag::sync-mode[]
    try (Analytics analytics = Analytics.builder(writeKey)
        .syncMode(true)              // each call delivers its message before it returns
        .transport(transport)
        .build()) {
      analytics.track("123", "Test", Map.of());
      return 0;
    } catch (DeliveryException e) {
      // Retries already happened (RetryPolicy); this is final. The error callback saw it too.
      if (e.reason() == FailureReason.REJECTED || e.reason() == FailureReason.UNAUTHORIZED) {
        System.err.println("Permanent error, HTTP " + e.status() + ": " + e.getMessage());
      } else {
        System.err.println("Not delivered (" + e.reason() + "): " + e.getMessage());
      }
      return e.status();
    }
    // end::sync-mode[]
  }

  /**
   * Reads the counters for monitoring.
   *
   * @param analytics a running client
   * @return the snapshot
   */
  public static Stats monitoring(Analytics analytics) {
    // tag::stats[]
    Stats s = analytics.stats();
    // Every accepted message is delivered, failed, not sent (send(false)) or still pending.
    System.out.printf("accepted=%d delivered=%d failed=%d pending=%d dropped=%d retries=%d%n",
        s.accepted(), s.delivered(), s.failed(), s.pending(), s.dropped(), s.retries());
    s.failedByReason().forEach((reason, n) -> System.out.println("failed " + reason + ": " + n));
    s.droppedByReason().forEach((reason, n) -> System.out.println("dropped " + reason + ": " + n));
    // end::stats[]
    return s;
  }
}
