package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The examples of {@code docs/configuration.md}. */
public final class ConfigurationExamples {
  private ConfigurationExamples() {}

  /**
   * Every builder option, set to its default (except the transport and the error callback).
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return a running client
   */
  public static Analytics everyOption(String writeKey, Transport transport) {
    // tag::every-option[]
    Analytics analytics = Analytics.builder(writeKey)                     // required, non-blank
        .endpoint(URI.create("https://api.segment.io"))                    // or .region(Region.EU)
        .maxQueueSize(Analytics.Builder.DEFAULT_MAX_QUEUE_SIZE)            // 10,000 -> ring of 16,384
        .maxQueueBytes(Analytics.Builder.DEFAULT_MAX_QUEUE_BYTES)          // 64 MiB
        .flushAt(Analytics.Builder.DEFAULT_FLUSH_AT)                       // 250
        .flushInterval(Analytics.Builder.DEFAULT_FLUSH_INTERVAL)           // 5 s
        .maxBatchMessages(Analytics.Builder.MAX_BATCH_MESSAGES)            // 2,500
        .maxBatchBytes(Analytics.Builder.DEFAULT_MAX_BATCH_BYTES)          // 500,000 bytes
        .queueFullPolicy(QueueFullPolicy.dropNewest())
        .retryPolicy(RetryPolicy.defaults())
        .flushTimeout(Analytics.Builder.DEFAULT_FLUSH_TIMEOUT)             // 60 s
        .shutdownTimeout(Analytics.Builder.DEFAULT_SHUTDOWN_TIMEOUT)       // 10 s
        .shutdownHook(true)
        .onError((error, messages) -> System.err.println(error.getMessage()))
        .debug(false)
        .syncMode(false)
        .send(true)
        .transport(transport)        // default: found with ServiceLoader (transportName picks one)
        .build();
    // end::every-option[]
    return analytics;
  }

  /**
   * A short-lived process (a serverless function, a batch job): small batches, a short interval,
   * and a close that returns quickly.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return a running client
   */
  public static Analytics shortLived(String writeKey, Transport transport) {
    // tag::short-lived[]
    Analytics analytics = Analytics.builder(writeKey)
        .flushInterval(Duration.ofMillis(200))
        .flushTimeout(Duration.ofSeconds(3))      // flush() never waits longer
        .shutdownTimeout(Duration.ofSeconds(2))   // close() and the shutdown hook neither
        .retryPolicy(RetryPolicy.builder().totalDeadline(Duration.ofSeconds(2)).build())
        .transport(transport)
        .build();
    // end::short-lived[]
    return analytics;
  }

  /**
   * A high-volume service: a bigger ring, a byte bound, and calls that wait briefly for room.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return a running client
   */
  public static Analytics highVolume(String writeKey, Transport transport) {
    // tag::high-volume[]
    Analytics analytics = Analytics.builder(writeKey)
        .maxQueueSize(100_000)                                        // ring of 131,072
        .maxQueueBytes(256L * 1024 * 1024)                            // and at most ~256 MiB
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofMillis(5))) // then drop and count
        .transport(transport)
        .build();
    // end::high-volume[]
    return analytics;
  }

  /**
   * Beacon's threads from your own factory, e.g. to name them or set their priority.
   *
   * @param writeKey the source's write key
   * @param transport where batches go
   * @return a running client
   */
  public static Analytics ownThreads(String writeKey, Transport transport) {
    // tag::thread-factory[]
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = runnable -> {
      Thread t = new Thread(runnable, "analytics-" + n.incrementAndGet());
      t.setDaemon(true);             // Beacon's default is daemon too: it never keeps the JVM alive
      return t;
    };
    Analytics analytics = Analytics.builder(writeKey)
        .threadFactory(threads)
        .transport(transport)
        .build();
    // end::thread-factory[]
    return analytics;
  }
}
