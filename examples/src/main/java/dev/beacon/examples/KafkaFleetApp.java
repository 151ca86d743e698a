package dev.beacon.examples;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.Stats;
import dev.beacon.examples.docs.KafkaExamples;
import java.time.Duration;
import java.util.Map;

/**
 * The application of docs/kafka.md's walkthrough: sends events to a Kafka topic through the Kafka
 * transport (the builder form of {@link KafkaExamples}), then closes and prints what was
 * delivered to Kafka. Run it with {@code -Pkafka-app} (see examples/pom.xml).
 */
public final class KafkaFleetApp {
  private KafkaFleetApp() {}

  /**
   * Sends {@code identify} for ten users, then {@code track} events round-robin over them.
   *
   * @param args bootstrap servers (default {@code localhost:9092}), topic (must be
   *     {@code beacon-events}, the examples' topic), number of events (default 1,000)
   */
  public static void main(String[] args) {
    String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
    if (args.length > 1 && !"beacon-events".equals(args[1])) {
      throw new IllegalArgumentException("the walkthrough's topic is beacon-events but was " + args[1]);
    }
    int events = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    Analytics analytics = KafkaExamples.builderForm(bootstrap);
    FlushResult closed = send(analytics, events);
    Stats stats = analytics.stats();
    System.out.println("kafka-app: " + stats.accepted() + " accepted, " + stats.delivered() + " written to Kafka ("
        + bootstrap + ", topic beacon-events), " + stats.failed() + " failed"
        + (closed.complete() ? "" : ", " + closed.pending() + " still pending at the close timeout"));
    if (!closed.complete() || stats.failed() > 0) {
      System.exit(4);
    }
  }

  /**
   * Sends the walkthrough's events and closes the client.
   *
   * @param analytics a client (its transport decides where the events go)
   * @param events how many {@code track} events, besides ten {@code identify}
   * @return what close reported
   */
  public static FlushResult send(Analytics analytics, int events) {
    for (int u = 0; u < 10; u++) {
      analytics.identify("user-" + u, Map.of("plan", u % 2 == 0 ? "free" : "pro"));
    }
    for (int i = 0; i < events; i++) {
      analytics.track("user-" + i % 10, "Order Completed", Map.of("orderId", "order-" + i, "revenue", 10 + i % 90));
    }
    return analytics.close(Duration.ofSeconds(60));
  }
}
