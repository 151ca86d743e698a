package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.transport.kafka.KafkaTransport;
import java.net.URI;

/** The application side of docs/kafka.md: a client whose transport writes to a Kafka topic. */
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
}
