package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.transport.kafka.KafkaEventSink;
import dev.beacon.transport.kafka.KafkaTransport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The application side of docs/kafka.md: a client whose transport writes to a Kafka topic, and
 * the gateway's Kafka sink.
 */
public final class KafkaExamples {
  private KafkaExamples() {}

  /**
   * The builder form: the application builds the {@link KafkaTransport} and hands it over.
   *
   * @param bootstrapServers e.g. {@code localhost:9092}
   * @return a client writing to the topic {@code beacon-events}
   */
  public static Analytics builderForm(String bootstrapServers) {
    // tag::builder[]
    KafkaTransport kafka = KafkaTransport.builder()
        .bootstrapServers(bootstrapServers)              // e.g. "kafka-1:9092,kafka-2:9092"
        .topic("beacon-events")                          // create it (and beacon-events.dlq) first
        .producerProperty("linger.ms", "5")              // any Kafka producer property
        .build();
    Analytics analytics = Analytics.builder("unused-by-kafka")   // the relay holds the write key
        .transport(kafka)                                          // closed by analytics.close()
        .build();
    // end::builder[]
    return analytics;
  }

  /**
   * The by-name form: {@code ServiceLoader} finds the transport named {@code kafka}, configured
   * by a {@code kafka://host:port/topic} endpoint whose query parameters are producer properties.
   *
   * @param bootstrapServer one {@code host:port}
   * @return a client writing to the topic {@code beacon-events}
   */
  public static Analytics byName(String bootstrapServer) {
    // tag::by-name[]
    Analytics analytics = Analytics.builder("unused-by-kafka")
        .transportName("kafka")                          // beacon-transport-kafka on the class path
        .endpoint(URI.create("kafka://" + bootstrapServer + "/beacon-events?linger.ms=5"))
        .build();
    // several brokers: kafka://kafka-1:9092/beacon-events?bootstrap.servers=kafka-1:9092,kafka-2:9092
    // end::by-name[]
    return analytics;
  }

  /**
   * The gateway's sink: writes validated messages to the topic the relay reads.
   *
   * @param bootstrapServers e.g. {@code localhost:9092}
   * @return a sink writing to the topic {@code beacon-events}, which the caller closes
   */
  public static KafkaEventSink gatewaySink(String bootstrapServers) {
    // tag::gateway-sink[]
    KafkaEventSink sink = KafkaEventSink.builder()
        .bootstrapServers(bootstrapServers)              // e.g. "kafka-1:9092,kafka-2:9092"
        .topic("beacon-events")                          // the topic beacon relay reads; create it first
        .ackTimeout(Duration.ofSeconds(5))               // every call completes within this
        .build();
    // end::gateway-sink[]
    return sink;
  }

  /**
   * How a gateway turns a call's outcome into an HTTP status.
   *
   * @param sink the sink
   * @param json one normalized message
   * @param userId its userId (else its anonymousId)
   * @param source the name of the write key's source
   * @return 200, 413, 500 or 503
   */
  public static CompletableFuture<Integer> statusOf(KafkaEventSink sink, byte[] json, String userId, String source) {
    // tag::gateway-append[]
    List<KafkaEventSink.Event> events = List.of(new KafkaEventSink.Event(json, "track", userId, source));
    CompletableFuture<Integer> status = sink.append(events).handle((ok, error) -> {
      Throwable cause = error instanceof CompletionException ? error.getCause() : error;
      if (cause == null) {
        return 200;                                      // every record acknowledged (acks=all)
      }
      if (cause instanceof KafkaEventSink.Refused refused) {
        return refused.tooLarge() ? 413 : 500;           // retrying cannot help; the message names Kafka's error
      }
      return 503;                                        // Unavailable: answer with Retry-After
    });
    // end::gateway-append[]
    return status;
  }
}
