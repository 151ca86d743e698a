package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.Region;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.Map;

/** Creating and closing a client: the guide's "Configuration" and "Quick reference" sections. */
public final class SetupExamples {
  private SetupExamples() {}

  /**
   * The basic setup: a write key, debug logging, a larger queue.
   *
   * @param transport where batches go (production code omits {@code .transport(...)})
   * @return a running client
   */
  public static Analytics basicSetup(Transport transport) {
    // tag::basic-setup[]
    Analytics analytics = Analytics.builder("YOUR_WRITE_KEY")   // from the Source's settings
        .debug(true)                 // log batches, retries and failures at INFO
        .maxQueueSize(10_000)        // messages that may wait in memory
        .transport(transport)        // examples only: omit it and the HTTP transport is found
        .build();
    // end::basic-setup[]
    return analytics;
  }

  /**
   * Configuration read from the environment.
   *
   * @param env the environment, {@code System.getenv()} in production
   * @param transport where batches go
   * @return a running client
   */
  public static Analytics fromEnvironment(Map<String, String> env, Transport transport) {
    // tag::env-config[]
    // env is System.getenv()
    Analytics analytics = Analytics.builder(env.get("SEGMENT_WRITE_KEY"))
        .debug(Boolean.parseBoolean(env.getOrDefault("SEGMENT_DEBUG", "false")))
        .transport(transport)
        .build();
    // end::env-config[]
    return analytics;
  }

  /**
   * A client for a workspace in Segment's EU region.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return a running client
   */
  public static Analytics euRegion(String writeKey, Transport transport) {
    // tag::region[]
    Analytics analytics = Analytics.builder(writeKey)
        .region(Region.EU)           // https://events.eu1.segmentapis.com
        .transport(transport)
        .build();
    // end::region[]
    return analytics;
  }

  /**
   * The full production pattern: one client for the life of the process, closed at the end.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return what the final flush achieved
   */
  public static FlushResult productionPattern(String writeKey, Transport transport) {
    // tag::production-pattern[]
    FlushResult result;
    try (Analytics analytics = Analytics.builder(writeKey)
        .onError((error, messages) ->
            System.err.println("Segment: " + messages.size() + " not delivered: " + error.getMessage()))
        .transport(transport)
        .build()) {
      analytics.identify("123", Map.of("email", "user@example.com"));
      analytics.track("123", "Order Completed", Map.of("revenue", 99.99));
      result = analytics.flush(Duration.ofSeconds(10));
      if (!result.isSuccess()) {
        System.err.println("Segment: " + result.pending() + " pending, "
            + result.failedDuringWait() + " failed");
      }
    } // close(): delivers anything left within shutdownTimeout, then stops Beacon's threads
    // end::production-pattern[]
    return result;
  }
}
