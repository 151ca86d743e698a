package dev.beacon.transport.kafka.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A single-node KRaft Kafka broker inside the test JVM (Kafka's own test kit), started once per
 * test class when registered on a static field; its temporary directories go with it. Shared by
 * the Kafka modules' tests through this module's test-jar; a module that uses it also needs
 * {@code kafka-test-common-runtime} on its test class path.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
  private final boolean autoCreateTopics;
  private KafkaClusterTestKit cluster;
  private Admin admin;

  /** A broker not started yet: register it with {@code @RegisterExtension} on a static field. */
  public KafkaBroker() {
    this(true);
  }

  private KafkaBroker(boolean autoCreateTopics) {
    this.autoCreateTopics = autoCreateTopics;
  }

  /**
   * A broker that does not create topics on first use ({@code auto.create.topics.enable=false}),
   * as production clusters are usually run: writing to a topic that was not created fails.
   *
   * @return a broker not started yet
   */
  public static KafkaBroker withoutTopicAutoCreation() {
    return new KafkaBroker(false);
  }

  /**
   * Starts the broker and an admin client for it.
   *
   * @param context the test class's context
   * @throws Exception if the broker does not start
   */
  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("auto.create.topics.enable", Boolean.toString(autoCreateTopics))
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    admin = Admin.create(p);
  }

  /**
   * Stops the admin client and the broker; the broker's directories are deleted.
   *
   * @param context the test class's context
   * @throws Exception if the broker does not stop cleanly
   */
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Stops the broker (the controller of the combined node keeps running). */
  public void stopBroker() {
    cluster.brokers().values().forEach(b -> b.shutdown());
  }

  /**
   * Starts the broker again on the same port and waits until it serves.
   *
   * @throws Exception if it does not start
   */
  public void startBroker() throws Exception {
    cluster.brokers().values().forEach(b -> b.startup());
    cluster.waitForReadyBrokers();
  }

  /**
   * Returns where clients connect.
   *
   * @return the {@code bootstrap.servers} value
   */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /**
   * Creates a topic (replication factor 1) and waits until every partition has a leader.
   *
   * @param name the topic
   * @param partitions how many partitions
   * @throws Exception if it is not created within 30 seconds
   */
  public void createTopic(String name, int partitions) throws Exception {
    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    awaitLeaders(name);
  }

  /**
   * Waits until every partition's leader answers for it. Producing at once to a new topic can
   * race the broker's own metadata: the first produce gets NOT_LEADER after the append, and the
   * idempotent producer's retry is then refused as out of order until its delivery timeout.
   */
  private void awaitLeaders(String topic) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        var parts = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
            .partitions();
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q = new java.util.HashMap<>();
        boolean leaders = true;
        for (var p : parts) {
          leaders &= p.leader() != null && !p.leader().isEmpty();
          q.put(new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        if (leaders) {
          admin.listOffsets(q).all().get(30, TimeUnit.SECONDS);
          return;
        }
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("topic " + topic + " has no leader after 30 s");
      }
      Thread.sleep(20);
    }
  }

  /**
   * Creates a topic with topic configs (replication factor 1) and waits until every partition has
   * a leader.
   *
   * @param name the topic
   * @param partitions how many partitions
   * @param configs topic configs, e.g. {@code max.message.bytes}
   * @throws Exception if it is not created within 30 seconds
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all()
        .get(30, TimeUnit.SECONDS);
    awaitLeaders(name);
  }

  /**
   * A consumer (no group) of every partition of {@code topic}, positioned at their beginnings.
   *
   * @param bootstrapServers the broker's address
   * @param topic the topic
   * @return the consumer, which the caller closes
   */
  public static KafkaConsumer<byte[], byte[]> consumeFromStart(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
    try {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Reads every record of a topic from the beginning until {@code count} arrived or the deadline
   * passed.
   *
   * @param topic the topic
   * @param count how many records to wait for
   * @param timeout the longest wait
   * @return the records read, possibly fewer than {@code count}
   */
  public List<ConsumerRecord<byte[], byte[]>> read(String topic, int count, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumeFromStart(bootstrapServers(), topic)) {
      List<TopicPartition> parts = new ArrayList<>(c.assignment());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * Reads every record of a topic written so far (up to its end offsets at the time of the call).
   *
   * @param topic the topic
   * @return its records, partition by partition in offset order
   */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumeFromStart(bootstrapServers(), topic)) {
      List<TopicPartition> parts = new ArrayList<>(c.assignment());
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end within 30 s");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * Returns the committed offsets of a consumer group, by partition number.
   *
   * @param group the consumer group
   * @param topic the topic
   * @return the next offset to read of each partition with a commit
   * @throws Exception if the broker does not answer within 30 seconds
   */
  public Map<Integer, Long> committed(String group, String topic) throws Exception {
    Map<Integer, Long> out = new java.util.HashMap<>();
    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
        .forEach((tp, om) -> {
          if (tp.topic().equals(topic) && om != null) {
            out.put(tp.partition(), om.offset());
          }
        });
    return out;
  }

  /**
   * Returns the end offsets of a topic, by partition number.
   *
   * @param topic the topic
   * @return the offset the next record of each partition gets
   * @throws Exception if the broker does not answer within 30 seconds
   */
  public Map<Integer, Long> endOffsets(String topic) throws Exception {
    Map<Integer, Long> out = new java.util.HashMap<>();
    var parts = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions();
    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q = new java.util.HashMap<>();
    parts.forEach(p -> q.put(new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
    admin.listOffsets(q).all().get(30, TimeUnit.SECONDS).forEach((tp, r) -> out.put(tp.partition(), r.offset()));
    return out;
  }

  /**
   * Returns the names of the topics.
   *
   * @return every topic name
   * @throws Exception if the broker does not answer within 30 seconds
   */
  public Set<String> topics() throws Exception {
    return admin.listTopics().names().get(30, TimeUnit.SECONDS);
  }
}
