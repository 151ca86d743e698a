package dev.beacon.relay.kafka;

import dev.beacon.Analytics;
import dev.beacon.Message;
import dev.beacon.RetryPolicy;
import dev.beacon.spi.Batch;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a Kafka topic of Beacon messages (as written by {@code KafkaTransport}, or by any
 * producer writing one Segment message's JSON per record) to a Segment-compatible HTTP API. Run
 * several instances with the same group id to share the topic's partitions.
 *
 * <pre>{@code
 * HttpTransport http = HttpTransport.builder(System.getenv("SEGMENT_WRITE_KEY")).build();
 * KafkaRelay relay = KafkaRelay.builder()
 *     .bootstrapServers("kafka-1:9092")
 *     .topic("beacon-events")
 *     .groupId("beacon-relay")
 *     .transport(http)
 *     .build()
 *     .start();
 * ...
 * relay.close(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Guarantees: at least once. Each record is validated with Beacon's rules (a record that is
 * not a valid Segment message goes to the dead-letter topic with the validation error), cut into
 * batches of at most 2,500 messages and 500 KB, and sent with its bytes unchanged, one batch at a
 * time, with the core's {@link RetryPolicy}. A partition's offset is committed only up to the
 * first record not yet settled (delivered, or written to the dead-letter topic and acknowledged
 * there), so a crash or a rebalance never skips a record; it may send again the records held at
 * that moment (at most {@link Builder#maxBufferedBytes} of them, plus those settled since the last
 * commit). Each user's events keep their order, since they share a partition and one batch is in
 * flight at a time.
 *
 * <p>Threads: one consumer thread (the only one touching the Kafka consumer), one delivery
 * thread, the transport's IO thread, and one dead-letter thread (writes and their retries).
 *
 * <p>Failure: a relay that cannot go on — its dead-letter topic missing, unauthorized or invalid
 * (a record that can never be dead-lettered can never settle), a non-retriable Kafka error while
 * polling, or one of its threads dying of a bug — stops with one ERROR naming the cause, commits
 * nothing past the records not settled, and reports {@link State#FAILED} and the cause through
 * {@link #state()} and {@link #failure()}; {@code beacon relay} then exits with its own code. A
 * relay never runs on with a dead thread.
 */
public final class KafkaRelay implements AutoCloseable {
  /** Dead-letter header: the {@link DeadLetterReason}. */
  public static final String HEADER_REASON = "beacon.dlq.reason";
  /** Dead-letter header: the last HTTP status, or 0. */
  public static final String HEADER_STATUS = "beacon.dlq.status";
  /** Dead-letter header: when the record was dead-lettered, ISO-8601 UTC. */
  public static final String HEADER_TIME = "beacon.dlq.time";
  /** Dead-letter header: the error, in words (never the write key). */
  public static final String HEADER_DETAIL = "beacon.dlq.detail";
  /** Dead-letter header: the topic the record was read from. */
  public static final String HEADER_TOPIC = "beacon.dlq.topic";
  /** Dead-letter header: the partition the record was read from. */
  public static final String HEADER_PARTITION = "beacon.dlq.partition";
  /** Dead-letter header: the record's offset in that partition. */
  public static final String HEADER_OFFSET = "beacon.dlq.offset";
  /**
   * Dead-letter header, only on a truncated copy: the size in bytes of the record's value, of
   * which the copy keeps the first 4,096 bytes (the whole record was too large for the
   * dead-letter topic).
   */
  public static final String HEADER_TRUNCATED = "beacon.dlq.truncated";

  /** Default {@link Builder#maxBufferedBytes(long)}: 32 MiB. */
  public static final long DEFAULT_MAX_BUFFERED_BYTES = 32L << 20;
  /** Default {@link Builder#linger(Duration)} in milliseconds. */
  public static final long DEFAULT_LINGER_MILLIS = 500;
  /** Default {@link Builder#commitInterval(Duration)} in milliseconds. */
  public static final long DEFAULT_COMMIT_INTERVAL_MILLIS = 1000;
  /** Suffix of the default dead-letter topic: {@code <topic>.dlq}. */
  public static final String DEFAULT_DEAD_LETTER_SUFFIX = ".dlq";
  /**
   * Default {@code max.block.ms} of the dead-letter producer: how long a write may wait for the
   * topic's metadata (on the dead-letter thread, never the consumer's) before it is retried and
   * the topic's existence checked.
   */
  public static final int DEFAULT_DEAD_LETTER_MAX_BLOCK_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(KafkaRelay.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final Settings settings;
  private final Counters counters = new Counters();
  private final Transport transport;
  private final ConsumerLoop consumerLoop;
  private final Delivery delivery;
  private final DeadLetters deadLetters;
  private final ScheduledThreadPoolExecutor timer;
  private final Thread consumerThread;
  private final Thread deliveryThread;
  private final Object lifecycle = new Object();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private State state = State.NEW;

  /** Where a relay is in its life; see {@link #state()}. */
  public enum State {
    /** Built, not started. */
    NEW,
    /** Started and working. */
    RUNNING,
    /** Stopped on a fatal error, named by {@link #failure()}; {@link #close} still releases it. */
    FAILED,
    /** Closed. */
    CLOSED
  }

  private KafkaRelay(Builder b) {
    int id = IDS.incrementAndGet();
    this.settings = new Settings(b);
    this.transport = b.transport;
    ThreadFactory threads = r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    };
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = threads.newThread(r);
      t.setName("beacon-relay-" + id + "-dead-letters");
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    Producer<byte[], byte[]> producer;
    KafkaConsumer<byte[], byte[]> consumer;
    try {
      producer = new KafkaProducer<>(producerProperties(b, id));
      try {
        consumer = new KafkaConsumer<>(consumerProperties(b, id));
      } catch (KafkaException e) {
        producer.close(Duration.ZERO);
        throw e;
      }
    } catch (KafkaException e) {
      timer.shutdownNow();
      throw new IllegalArgumentException("invalid Kafka client settings: " + e.getMessage(), e);
    }
    this.deadLetters = new DeadLetters(producer, settings.deadLetterTopic, timer, counters, this::fail,
        this::checkDeadLetterTopic);
    LinkedBlockingQueue<PendingBatch> queue = new LinkedBlockingQueue<>();
    this.delivery = new Delivery(queue, transport, settings.retryPolicy, deadLetters, counters, this::fail);
    this.consumerLoop = new ConsumerLoop(consumer, settings, queue, deadLetters, delivery, counters,
        this::stopDelivery, this::fail);
    this.consumerThread = threads.newThread(consumerLoop);
    consumerThread.setName("beacon-relay-" + id + "-consumer");
    this.deliveryThread = threads.newThread(delivery);
    deliveryThread.setName("beacon-relay-" + id + "-delivery");
  }

  private static Properties producerProperties(Builder b, int id) {
    Properties p = new Properties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "beacon-relay-" + id + "-dlq");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(DEFAULT_DEAD_LETTER_MAX_BLOCK_MS));
    p.putAll(b.producerProperties);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  private static Properties consumerProperties(Builder b, int id) {
    Properties p = new Properties();
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "beacon-relay-" + id);
    p.putAll(b.consumerProperties);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, b.groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /**
   * Starts configuring a relay.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Joins the consumer group and starts delivering. Call once.
   *
   * @return this relay
   * @throws IllegalStateException when already started or closed
   */
  public KafkaRelay start() {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException("the relay was already started (state " + state + ")");
      }
      state = State.RUNNING;
    }
    deliveryThread.start();
    consumerThread.start();
    LOG.info("Beacon relay started: topic={}, group={}, deadLetterTopic={}, transport={}", settings.topic,
        settings.groupId, settings.deadLetterTopic, transport);
    return this;
  }

  /**
   * Returns the counters since start; safe from any thread.
   *
   * @return a snapshot
   */
  public RelayStats stats() {
    return counters.snapshot();
  }

  /**
   * Returns where the relay is: {@link State#FAILED} once a fatal error stopped it (even after
   * {@link #close}), else {@code NEW}, {@code RUNNING} or {@code CLOSED}. Safe from any thread.
   *
   * @return the state
   */
  public State state() {
    if (failure.get() != null) {
      return State.FAILED;
    }
    synchronized (lifecycle) {
      return state;
    }
  }

  /**
   * Returns the error that stopped the relay, if one did: a Kafka error (its own type, e.g.
   * {@code TopicAuthorizationException}) or the {@code Throwable} that ended one of its threads.
   *
   * @return the cause, or empty while the relay has not failed
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /**
   * Stops the relay for good: the first call logs one ERROR and records the cause; the consumer
   * thread commits only the settled prefix of each partition and closes, the delivery and
   * dead-letter threads stop. Called from any of the relay's threads; never blocks.
   */
  private void fail(String what, Throwable cause) {
    if (!failure.compareAndSet(null, cause)) {
      return;
    }
    if (cause instanceof KafkaException) {
      // Kafka's errors say what is wrong in their message; their stack traces only add noise.
      LOG.error("Beacon relay stopped (topic {}, group {}): {}", settings.topic, settings.groupId, what);
    } else {
      LOG.error("Beacon relay stopped (topic {}, group {}): {}", settings.topic, settings.groupId, what, cause);
    }
    consumerLoop.abort();
    delivery.halt();
    deadLetters.halt();
  }

  /** Waits until the consumer thread has committed what it may and closed the consumer (tests). */
  boolean awaitConsumerStopped(Duration timeout) throws InterruptedException {
    return consumerLoop.awaitStopped(timeout);
  }

  private void checkDeadLetterTopic() {
    consumerLoop.checkDeadLetterTopic();
  }

  /**
   * Returns the dead-letter topic.
   *
   * @return the topic name
   */
  public String deadLetterTopic() {
    return settings.deadLetterTopic;
  }

  /**
   * Stops reading, delivers what the relay holds for up to {@code timeout}, commits the settled
   * offsets, leaves the group and closes the transport. Records not settled by then are not
   * committed: the group reads them again. Safe to call more than once.
   *
   * @param timeout the longest wait for delivery of what is held
   * @return true when everything held was settled in time; false too when the relay
   *     {@linkplain State#FAILED failed}
   */
  public boolean close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    boolean started;
    synchronized (lifecycle) {
      if (state == State.CLOSED) {
        return consumerStopped();
      }
      started = state == State.RUNNING;
      state = State.CLOSED;
    }
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    boolean settled = true;
    if (started) {
      consumerLoop.drain(deadline);
      try {
        // The consumer thread commits and closes the consumer, then stops the delivery thread.
        if (!consumerLoop.awaitStopped(timeout.plusSeconds(20))) {
          LOG.warn("Beacon relay: the consumer thread did not stop in time");
        }
        deliveryThread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      settled = counters.bufferedRecords.get() == 0;
    } else {
      consumerLoop.closeUnstarted();
    }
    delivery.halt();
    deadLetters.close(Duration.ofSeconds(5));
    timer.shutdownNow();
    try {
      transport.close();
    } catch (RuntimeException e) {
      LOG.warn("Beacon relay: error closing the transport: {}", e.toString());
    }
    LOG.info("Beacon relay closed: {}", stats());
    return settled && failure.get() == null;
  }

  private boolean consumerStopped() {
    return counters.bufferedRecords.get() == 0;
  }

  /** Closes with a 30-second drain. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private void stopDelivery() {
    delivery.halt();
    deadLetters.halt();
  }

  @Override
  public String toString() {
    return "KafkaRelay{topic=" + settings.topic + ", group=" + settings.groupId + ", deadLetterTopic="
        + settings.deadLetterTopic + ", transport=" + transport + "}";
  }

  /** The validated settings, read by the relay's threads. */
  static final class Settings {
    final String topic;
    final String groupId;
    final String deadLetterTopic;
    final int maxBatchMessages;
    final int maxBatchBytes;
    final Duration linger;
    final Duration commitInterval;
    final long maxBufferedBytes;
    final RetryPolicy retryPolicy;
    /** The consumer's {@code session.timeout.ms}, for the message of a relay waiting for its partitions. */
    final int sessionTimeoutMs;

    /** The value set, else Kafka's default; an unreadable value is the consumer's to refuse. */
    private static int sessionTimeoutMs(Object set) {
      Object value = set != null ? set
          : ConsumerConfig.configDef().defaultValues().get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
      try {
        return Integer.parseInt(String.valueOf(value).trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    Settings(Builder b) {
      this.sessionTimeoutMs = sessionTimeoutMs(b.consumerProperties.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
      this.topic = b.topic;
      this.groupId = b.groupId;
      this.deadLetterTopic = b.deadLetterTopic != null ? b.deadLetterTopic : b.topic + DEFAULT_DEAD_LETTER_SUFFIX;
      this.maxBatchMessages = b.maxBatchMessages;
      this.maxBatchBytes = b.maxBatchBytes;
      this.linger = b.linger;
      this.commitInterval = b.commitInterval;
      this.maxBufferedBytes = b.maxBufferedBytes;
      this.retryPolicy = b.retryPolicy;
    }
  }

  /**
   * Configures a {@link KafkaRelay}; every option is validated at {@link #build()} with a message
   * naming it.
   */
  public static final class Builder {
    private String bootstrapServers;
    private String topic;
    private String groupId;
    private String deadLetterTopic;
    private Transport transport;
    private int maxBatchMessages = Analytics.Builder.MAX_BATCH_MESSAGES;
    private int maxBatchBytes = Analytics.Builder.DEFAULT_MAX_BATCH_BYTES;
    private Duration linger = Duration.ofMillis(DEFAULT_LINGER_MILLIS);
    private Duration commitInterval = Duration.ofMillis(DEFAULT_COMMIT_INTERVAL_MILLIS);
    private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
    private RetryPolicy retryPolicy = defaultRetryPolicy();
    private final Map<String, Object> consumerProperties = new LinkedHashMap<>();
    private final Map<String, Object> producerProperties = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The relay's default retry policy: the core's defaults (500 ms base, 60 s cap, jitter, 12 h
     * deadline) without a retry count, so that an API outage shorter than the deadline makes
     * the relay wait, with lag growing in Kafka, instead of dead-lettering.
     *
     * @return the policy
     */
    public static RetryPolicy defaultRetryPolicy() {
      return RetryPolicy.builder().maxRetries(Integer.MAX_VALUE).build();
    }

    /**
     * Sets the brokers ({@code bootstrap.servers}). Required.
     *
     * @param bootstrapServers e.g. {@code kafka-1:9092,kafka-2:9092}
     * @return this builder
     */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /**
     * Sets the topic to drain. Required.
     *
     * @param topic the topic the applications write to
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /**
     * Sets the consumer group ({@code group.id}): relays sharing it share the partitions. Required.
     *
     * @param groupId the group id
     * @return this builder
     */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /**
     * Sets the dead-letter topic. Default {@code <topic>.dlq}. The relay does not create it:
     * create it beside the topic (or let the brokers auto-create topics, which the relay's check
     * at start then does). A relay whose dead-letter topic does not exist
     * {@linkplain State#FAILED fails} at start.
     *
     * @param deadLetterTopic the topic name
     * @return this builder
     */
    public Builder deadLetterTopic(String deadLetterTopic) {
      this.deadLetterTopic = deadLetterTopic;
      return this;
    }

    /**
     * Sets the transport batches are sent with, normally an {@code HttpTransport} built with the
     * write key. Required; the relay closes it.
     *
     * @param transport the transport
     * @return this builder
     */
    public Builder transport(Transport transport) {
      this.transport = transport;
      return this;
    }

    /**
     * Sets the most messages per batch. Default and maximum 2,500 (Segment's limit).
     *
     * @param maxBatchMessages 1 to 2,500
     * @return this builder
     */
    public Builder maxBatchMessages(int maxBatchMessages) {
      this.maxBatchMessages = maxBatchMessages;
      return this;
    }

    /**
     * Sets the largest batch body in bytes. Default 500,000; at most 512,000 (Segment's 500 KB).
     *
     * @param maxBatchBytes 32,816 to 512,000
     * @return this builder
     */
    public Builder maxBatchBytes(int maxBatchBytes) {
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    /**
     * Sets how long a batch that is not full waits for more records before it is sent. Default
     * {@value KafkaRelay#DEFAULT_LINGER_MILLIS} ms.
     *
     * @param linger positive
     * @return this builder
     */
    public Builder linger(Duration linger) {
      this.linger = linger;
      return this;
    }

    /**
     * Sets how often settled offsets are committed. Default
     * {@value KafkaRelay#DEFAULT_COMMIT_INTERVAL_MILLIS} ms. Shorter means fewer records sent
     * again after a crash, at the cost of more commits.
     *
     * @param commitInterval positive
     * @return this builder
     */
    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = commitInterval;
      return this;
    }

    /**
     * Bounds the bytes of records held (read and not yet settled): above it the relay pauses its
     * partitions, and resumes them below half of it. Default 32 MiB. The Kafka consumer's own
     * fetch buffers ({@code fetch.max.bytes}) come on top.
     *
     * @param maxBufferedBytes at least 1 MiB
     * @return this builder
     */
    public Builder maxBufferedBytes(long maxBufferedBytes) {
      this.maxBufferedBytes = maxBufferedBytes;
      return this;
    }

    /**
     * Sets the retry policy. Default {@link #defaultRetryPolicy()}.
     *
     * @param retryPolicy the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = retryPolicy;
      return this;
    }

    /**
     * Sets any Kafka consumer property ({@code security.protocol}, {@code max.poll.records}...).
     * The group id, deserializers and {@code enable.auto.commit=false} are the relay's.
     *
     * @param name the property name
     * @param value its value
     * @return this builder
     */
    public Builder consumerProperty(String name, Object value) {
      consumerProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Sets any property of the dead-letter producer (idempotent, {@code acks=all}, lz4 by default).
     *
     * @param name the property name
     * @param value its value
     * @return this builder
     */
    public Builder producerProperty(String name, Object value) {
      producerProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Validates the settings and creates the Kafka clients (they connect at {@link KafkaRelay#start()}).
     *
     * @return a relay, not started
     * @throws IllegalArgumentException naming the first invalid option
     */
    public KafkaRelay build() {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers must be set but was " + bootstrapServers);
      }
      requireTopic(topic, "topic");
      if (deadLetterTopic != null) {
        requireTopic(deadLetterTopic, "deadLetterTopic");
        if (deadLetterTopic.equals(topic)) {
          throw new IllegalArgumentException("deadLetterTopic must differ from topic but both are " + topic);
        }
      }
      if (groupId == null || groupId.isBlank()) {
        throw new IllegalArgumentException("groupId must be set but was " + groupId);
      }
      if (transport == null) {
        throw new IllegalArgumentException("transport must be set (e.g. HttpTransport.builder(writeKey).build())");
      }
      if (maxBatchMessages < 1 || maxBatchMessages > Analytics.Builder.MAX_BATCH_MESSAGES) {
        throw new IllegalArgumentException("maxBatchMessages must be between 1 and "
            + Analytics.Builder.MAX_BATCH_MESSAGES + " but was " + maxBatchMessages);
      }
      int minBatchBytes = Message.MAX_MESSAGE_BYTES + Batch.ENVELOPE_BYTES;
      if (maxBatchBytes < minBatchBytes || maxBatchBytes > Analytics.Builder.MAX_BATCH_BYTES) {
        throw new IllegalArgumentException("maxBatchBytes must be between " + minBatchBytes + " and "
            + Analytics.Builder.MAX_BATCH_BYTES + " but was " + maxBatchBytes);
      }
      positive(linger, "linger");
      positive(commitInterval, "commitInterval");
      if (maxBufferedBytes < (1 << 20)) {
        throw new IllegalArgumentException("maxBufferedBytes must be at least 1048576 but was " + maxBufferedBytes);
      }
      if (retryPolicy == null) {
        throw new IllegalArgumentException("retryPolicy must not be null");
      }
      for (String fixed : List.of(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          ConsumerConfig.GROUP_ID_CONFIG)) {
        if (consumerProperties.containsKey(fixed)) {
          throw new IllegalArgumentException("consumer property " + fixed + " is set by the relay and cannot be"
              + " overridden");
        }
      }
      for (String fixed : List.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
        if (producerProperties.containsKey(fixed)) {
          throw new IllegalArgumentException("producer property " + fixed + " is set by the relay and cannot be"
              + " overridden");
        }
      }
      return new KafkaRelay(this);
    }

    private static void requireTopic(String t, String name) {
      if (t == null || !t.matches("[a-zA-Z0-9._-]{1,249}")) {
        throw new IllegalArgumentException(name + " must be 1 to 249 characters among a-z A-Z 0-9 . _ - but was "
            + t);
      }
    }

    private static void positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
    }

    @Override
    public String toString() {
      return "KafkaRelay.Builder{bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", groupId=" + groupId
          + "}";
    }
  }
}
