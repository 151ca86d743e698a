package dev.beacon.transport.kafka;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.MessageRecorder;
import dev.beacon.testkit.WireFormat;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Records what reached a Kafka topic; {@link #reset()} moves on to a new, empty topic. */
final class TopicRecorder implements MessageRecorder {
  private static final AtomicInteger TOPICS = new AtomicInteger();
  private final KafkaBroker broker;
  private final String prefix;
  private final int partitions;
  private volatile String topic;

  TopicRecorder(KafkaBroker broker, String prefix, int partitions) {
    this.broker = broker;
    this.prefix = prefix;
    this.partitions = partitions;
  }

  String topic() {
    return topic;
  }

  List<ConsumerRecord<byte[], byte[]>> records() {
    return broker.readAll(topic);
  }

  @Override
  public List<CapturedMessage> messages() {
    return records().stream().map(r -> new CapturedMessage(WireFormat.parseObject(r.value())))
        .collect(Collectors.toUnmodifiableList());
  }

  @Override
  public List<CapturedMessage> awaitMessages(int count, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> got = broker.read(topic, count, timeout);
    if (got.size() < count) {
      throw new AssertionError("expected " + count + " records in " + topic + " within " + timeout + " but got "
          + got.size());
    }
    return got.stream().map(r -> new CapturedMessage(WireFormat.parseObject(r.value())))
        .collect(Collectors.toUnmodifiableList());
  }

  @Override
  public void reset() {
    topic = prefix + "-" + TOPICS.incrementAndGet();
    try {
      broker.createTopic(topic, partitions);
    } catch (Exception e) {
      throw new AssertionError("cannot create topic " + topic, e);
    }
  }
}
