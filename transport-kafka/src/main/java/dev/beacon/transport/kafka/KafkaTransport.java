package dev.beacon.transport.kafka;

import dev.beacon.Message;
import dev.beacon.internal.Library;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every message to an Apache Kafka topic instead of calling the HTTP API: one message is
 * one record, whose value is the message's JSON exactly as it would go into a {@code /v1/batch}
 * body, whose key is the message's {@code userId} (else its {@code anonymousId}) so that one
 * user's events stay in one partition and in order, and whose headers are
 * {@value #HEADER_TYPE} (the message type) and {@value #HEADER_VERSION} (Beacon's version).
 * No write key is involved: Kafka's own authentication applies, and a {@code KafkaRelay} holds
 * the write key.
 *
 * <pre>{@code
 * KafkaTransport kafka = KafkaTransport.builder()
 *     .bootstrapServers("kafka-1:9092,kafka-2:9092")
 *     .topic("beacon-events")
 *     .producerProperty("security.protocol", "SSL")
 *     .build();
 * Analytics analytics = Analytics.builder(writeKey).transport(kafka).build();
 * }</pre>
 *
 * <p>Also found by {@link java.util.ServiceLoader} under the name {@value KafkaTransportProvider#NAME}
 * (see {@link KafkaTransportProvider} for the {@code kafka://} endpoint it reads).
 *
 * <p>The producer is idempotent with {@code acks=all} and {@code lz4} compression by default,
 * and {@code max.block.ms} is {@value #DEFAULT_MAX_BLOCK_MS} ms so that a send never holds the
 * engine's thread for long while metadata is missing; every other
 * producer property keeps Kafka's default and can be set with {@link Builder#producerProperty}.
 *
 * <p>A batch is {@link SendResult.Outcome#DELIVERED} once the broker acknowledged every record.
 * Results are classified as follows: a retriable Kafka error (timeouts, leader changes, not enough
 * replicas...) is {@link SendResult.Outcome#RETRYABLE}; a record too large for the producer or the
 * topic makes the batch {@link SendResult.Outcome#TOO_LARGE}, so that the engine splits it down to
 * that one message and reports it as too large; authorization, authentication, invalid-topic and
 * other configuration errors are {@link SendResult.Outcome#PERMANENT} and logged once per kind.
 * When some records of a batch were acknowledged and others failed, the transport remembers the
 * acknowledged messages (up to {@value #REMEMBERED_MESSAGES} of them) and does not write them
 * again when the engine sends the batch, or its halves, once more: the rest is delivered without
 * duplicates. A record that fails before it reaches the producer's buffers (a wait for metadata
 * or buffer space over {@code max.block.ms}, a record too large) stops the attempt: the batch's
 * later records are not written until the retry, so that none lands in the topic before it.
 */
public final class KafkaTransport implements Transport {
  /** Header holding the message type: {@code identify}, {@code track}... */
  public static final String HEADER_TYPE = "beacon.type";
  /** Header holding the version of Beacon that wrote the record, e.g. {@code 0.1.0}. */
  public static final String HEADER_VERSION = "beacon.version";
  /** Default {@code compression.type}. */
  public static final String DEFAULT_COMPRESSION = "lz4";
  /** Default {@code max.block.ms}: how long a send may wait for metadata or buffer space. */
  public static final int DEFAULT_MAX_BLOCK_MS = 10_000;
  /** Default and largest {@link Builder#maxConcurrentRequests(int)}. */
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 1;
  /** How many acknowledged messages of partly failed batches are remembered to avoid rewriting them. */
  public static final int REMEMBERED_MESSAGES = 10_000;
  /** How long {@link #close()} waits for records still in the producer's buffers. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTransport.class);
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();
  private static final byte[] VERSION = Library.VERSION.getBytes(StandardCharsets.UTF_8);
  private static final Map<String, byte[]> TYPES = new ConcurrentHashMap<>();

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final String bootstrapServers;
  private final int maxConcurrentRequests;
  private final Duration attemptTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Messages already acknowledged in a batch that failed in part; by identity (the engine resends the same objects). */
  private final Map<Message, Boolean> acknowledged =
      Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Message, Boolean> eldest) {
          return size() > REMEMBERED_MESSAGES;
        }
      });
  private final Set<String> loggedPermanent = ConcurrentHashMap.newKeySet();

  private KafkaTransport(Builder b, Producer<byte[], byte[]> producer, Duration attemptTimeout) {
    this.producer = producer;
    this.topic = b.topic;
    this.bootstrapServers = b.bootstrapServers;
    this.maxConcurrentRequests = b.maxConcurrentRequests;
    this.attemptTimeout = attemptTimeout;
  }

  /**
   * Starts a transport; set at least {@link Builder#bootstrapServers} and {@link Builder#topic}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the topic records are written to.
   *
   * @return the topic name
   */
  public String topic() {
    return topic;
  }

  /**
   * Returns the record key of a message: its {@code userId}, else its {@code anonymousId}, in
   * UTF-8. Kafka's default partitioner hashes it, so one user's events share a partition.
   *
   * @param message the message
   * @return the key bytes
   */
  public static byte[] recordKey(Message message) {
    String id = message.userId() != null ? message.userId() : message.anonymousId();
    return id == null ? null : id.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes each message of the batch as one record. Returns at once (unless the producer waits
   * for metadata or buffer space, at most {@code max.block.ms}) and never throws.
   *
   * @param batch the batch
   * @return completed when every record is acknowledged or failed
   */
  @Override
  public CompletableFuture<SendResult> send(Batch batch) {
    CompletableFuture<SendResult> result = new CompletableFuture<>();
    if (closed.get()) {
      result.complete(closedResult());
      return result;
    }
    try {
      List<Message> messages = batch.messages();
      List<Integer> toSend = new ArrayList<>(messages.size());
      for (int i = 0; i < messages.size(); i++) {
        if (!acknowledged.containsKey(messages.get(i))) {
          toSend.add(i);
        }
      }
      if (toSend.isEmpty()) {
        forget(messages);
        result.complete(SendResult.delivered(0));
        return result;
      }
      Attempt attempt = new Attempt(messages, toSend.size(), result);
      for (int k = 0; k < toSend.size(); k++) {
        int i = toSend.get(k);
        if (attempt.anyFailed()) {
          // A record failed before it reached the producer's buffers (a wait for metadata or
          // buffer space timed out, a record too large...), or already came back failed. Writing
          // the later records now would put a user's record k+1 in the topic before k, which the
          // retry would write after it: they wait for the retry, in order, behind the failed one.
          for (int rest = k; rest < toSend.size(); rest++) {
            attempt.notSent(toSend.get(rest));
          }
          break;
        }
        Message m = messages.get(i);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, recordKey(m),
            batch.messageJson(i), headers(m));
        try {
          producer.send(record, (meta, ex) -> attempt.onCompletion(i, ex));
        } catch (RuntimeException e) {
          // KafkaProducer reports most errors through the callback; a closed producer or an
          // interrupted wait for metadata throws instead.
          attempt.onCompletion(i, e);
        }
      }
    } catch (RuntimeException e) {
      result.complete(SendResult.retryable(0, null, "unexpected error writing to Kafka: " + e, e));
    }
    return result;
  }

  /** The batch is delivered: the engine will not send these messages again. */
  private void forget(List<Message> messages) {
    if (!acknowledged.isEmpty()) {
      for (Message m : messages) {
        acknowledged.remove(m);
      }
    }
  }

  private static Iterable<Header> headers(Message m) {
    byte[] type = TYPES.computeIfAbsent(m.type().wireName(), t -> t.getBytes(StandardCharsets.UTF_8));
    return List.of(new RecordHeader(HEADER_TYPE, type), new RecordHeader(HEADER_VERSION, VERSION));
  }

  /** Collects the outcomes of one batch's records and classifies the attempt once all are in. */
  private final class Attempt {
    private final List<Message> messages;
    private final CompletableFuture<SendResult> result;
    private final Map<Integer, Exception> failures = new HashMap<>();
    private final List<Integer> succeeded = new ArrayList<>();
    private int notSent;
    private int remaining;

    Attempt(List<Message> messages, int records, CompletableFuture<SendResult> result) {
      this.messages = messages;
      this.remaining = records;
      this.result = result;
    }

    void onCompletion(int index, Exception ex) {
      boolean last;
      synchronized (this) {
        if (ex == null) {
          succeeded.add(index);
        } else {
          failures.put(index, ex);
        }
        last = --remaining == 0;
      }
      if (last) {
        result.complete(classify());
      }
    }

    synchronized boolean anyFailed() {
      return !failures.isEmpty();
    }

    /** A record left for the retry because an earlier one failed: its fate follows that failure's. */
    void notSent(int index) {
      boolean last;
      synchronized (this) {
        notSent++;
        last = --remaining == 0;
      }
      if (last) {
        result.complete(classify());
      }
    }

    private SendResult classify() {
      if (failures.isEmpty()) {
        forget(messages);
        return SendResult.delivered(0);
      }
      if (closed.get()) {
        return closedResult();
      }
      Exception permanent = null;
      Exception retryable = null;
      Exception tooLarge = null;
      for (Exception e : failures.values()) {
        if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
          tooLarge = e;
        } else if (isPermanent(e)) {
          permanent = e;
        } else {
          retryable = e;
        }
      }
      if (permanent != null) {
        String detail = "Kafka refused the records: " + permanent;
        if (loggedPermanent.add(permanent.getClass().getName())) {
          LOG.error("Beacon's Kafka transport cannot write to topic {} on {}: {}. Messages are reported to the"
              + " error callback; this is logged once per kind of error.", topic, bootstrapServers, permanent.toString());
        }
        return SendResult.permanent(0, detail, permanent);
      }
      // Remember what went through, so that the engine's next attempt (a retry, or the halves of
      // a split) writes only the messages that failed.
      for (int i : succeeded) {
        acknowledged.put(messages.get(i), Boolean.TRUE);
      }
      String waiting = notSent == 0 ? "" : " (" + notSent + " later record(s) not written, to keep the order)";
      if (retryable != null) {
        return SendResult.retryable(0, null, failures.size() + " of " + messages.size()
            + " record(s) not acknowledged: " + retryable + waiting, retryable);
      }
      return SendResult.tooLarge(0, failures.size() + " record(s) too large for Kafka: " + tooLarge.getMessage()
          + waiting);
    }
  }

  /**
   * Errors that retrying will not cure: the client is not allowed in, the topic name is invalid,
   * or the cluster does not support what the producer needs.
   */
  static boolean isPermanent(Throwable e) {
    if (e instanceof RetriableException) {
      return false;
    }
    return e instanceof AuthorizationException || e instanceof AuthenticationException
        || e instanceof InvalidTopicException || e instanceof UnsupportedVersionException
        || e instanceof SerializationException
        || e instanceof org.apache.kafka.common.config.ConfigException
        || e instanceof org.apache.kafka.common.errors.InvalidConfigurationException;
  }

  private static SendResult closedResult() {
    // Permanent, as HttpTransport's: a closed transport can never send again, so retrying it would
    // only hold the batch until the deadline.
    return SendResult.permanent(0, "transport closed", null);
  }

  /**
   * Returns how many batches the engine may have in flight. Default
   * {@value #DEFAULT_MAX_CONCURRENT_REQUESTS}, which keeps every user's events in order even
   * when a batch is retried.
   *
   * @return at least 1
   */
  @Override
  public int maxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /**
   * Returns the producer's {@code max.block.ms} plus its {@code delivery.timeout.ms} plus five
   * seconds: by then Kafka has completed every record of the attempt.
   *
   * @return the attempt guard
   */
  @Override
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  /**
   * Closes the producer, waiting up to five seconds for records still buffered. Attempts not
   * completed by then end as retryable. Safe to call more than once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      producer.close(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.warn("Beacon's Kafka transport: error closing the producer: {}", e.toString());
    }
    acknowledged.clear();
  }

  @Override
  public String toString() {
    return "KafkaTransport{topic=" + topic + ", bootstrapServers=" + bootstrapServers
        + ", maxConcurrentRequests=" + maxConcurrentRequests + "}";
  }

  /**
   * Configures a {@link KafkaTransport}. Validated at {@link #build()} with a message naming the
   * option and the bad value.
   */
  public static final class Builder {
    private String bootstrapServers;
    private String topic;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the brokers to bootstrap from ({@code bootstrap.servers}). Required.
     *
     * @param bootstrapServers e.g. {@code kafka-1:9092,kafka-2:9092}
     * @return this builder
     */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /**
     * Sets the topic to write to. Required. Create it with as many partitions as relay instances
     * you plan to run at most.
     *
     * @param topic the topic name
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /**
     * Sets any Kafka producer property ({@code security.protocol}, {@code compression.type},
     * {@code linger.ms}...), overriding Beacon's defaults. The serializers are Beacon's and
     * cannot be set.
     *
     * @param name the property name, as in Kafka's {@code ProducerConfig}
     * @param value its value
     * @return this builder
     */
    public Builder producerProperty(String name, Object value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      properties.put(name, value);
      return this;
    }

    /**
     * Sets several producer properties, as {@link #producerProperty} does one by one.
     *
     * @param properties names and values
     * @return this builder
     */
    public Builder producerProperties(Map<String, ?> properties) {
      properties.forEach(this::producerProperty);
      return this;
    }

    /**
     * Sets how many batches the engine may have in flight at once. Default
     * {@value KafkaTransport#DEFAULT_MAX_CONCURRENT_REQUESTS}: more raises throughput, but a
     * retried batch may then land after a later one.
     *
     * @param maxConcurrentRequests 1 to 16
     * @return this builder
     */
    public Builder maxConcurrentRequests(int maxConcurrentRequests) {
      this.maxConcurrentRequests = maxConcurrentRequests;
      return this;
    }

    /**
     * Validates the settings and creates the producer (it connects on first use).
     *
     * @return the transport, to be closed by the client it is given to
     * @throws IllegalArgumentException naming the first invalid option or producer property
     */
    public KafkaTransport build() {
      return build(props -> new KafkaProducer<>(props));
    }

    /** As {@link #build()}, with the producer made by {@code producers} from the final properties (tests). */
    KafkaTransport build(Function<Properties, Producer<byte[], byte[]>> producers) {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers must be set (e.g. kafka-1:9092) but was "
            + bootstrapServers);
      }
      if (topic == null || topic.isBlank() || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
        throw new IllegalArgumentException("topic must be 1 to 249 characters among a-z A-Z 0-9 . _ - but was "
            + topic);
      }
      if (maxConcurrentRequests < 1 || maxConcurrentRequests > 16) {
        throw new IllegalArgumentException("maxConcurrentRequests must be between 1 and 16 but was "
            + maxConcurrentRequests);
      }
      for (String fixed : List.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
        if (properties.containsKey(fixed)) {
          throw new IllegalArgumentException("producer property " + fixed + " cannot be set: records are the"
              + " messages' JSON bytes");
        }
      }
      Properties props = new Properties();
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, DEFAULT_COMPRESSION);
      props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(DEFAULT_MAX_BLOCK_MS));
      props.put(ProducerConfig.CLIENT_ID_CONFIG, "beacon-kafka-" + CLIENT_IDS.incrementAndGet());
      props.putAll(properties);
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      Duration attemptTimeout;
      Producer<byte[], byte[]> producer;
      try {
        ProducerConfig config = new ProducerConfig(props);
        attemptTimeout = Duration.ofMillis(config.getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG))
            .plusMillis(config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG))
            .plusSeconds(5);
        producer = producers.apply(props);
      } catch (KafkaException e) {
        throw new IllegalArgumentException("invalid Kafka producer settings: " + e.getMessage(), e);
      }
      return new KafkaTransport(this, producer, attemptTimeout);
    }

    @Override
    public String toString() {
      return "KafkaTransport.Builder{bootstrapServers=" + bootstrapServers + ", topic=" + topic + "}";
    }
  }
}
