package dev.beacon.transport.kafka;

import dev.beacon.spi.Transport;
import dev.beacon.testkit.MessageRecorder;
import dev.beacon.testkit.TransportCompatibilityKit;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SPI's compatibility kit on a real broker. One partition, so that the records of a batch
 * come back in the order they were written whatever their keys; the kit's scripted-failure tests
 * are skipped (a real broker cannot be told to answer 503).
 */
class KafkaTransportCompatibilityTest extends TransportCompatibilityKit {
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();

  private final TopicRecorder recorder = new TopicRecorder(BROKER, "kit", 1);

  @Override
  protected Transport newTransport() {
    return KafkaTransport.builder().bootstrapServers(BROKER.bootstrapServers()).topic(recorder.topic()).build();
  }

  @Override
  protected MessageRecorder receiver() {
    return recorder;
  }
}
