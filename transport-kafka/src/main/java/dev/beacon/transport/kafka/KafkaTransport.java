package dev.beacon.transport.kafka;

import dev.beacon.Message;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
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
 * and {@code max.block.ms} is {@value #DEFAULT_MAX_BLOCK_MS} ms; every other producer property
 * keeps Kafka's default and can be set with {@link Builder#producerProperty}. {@link #send}
 * never waits for Kafka: the records are handed to the producer by the transport's own thread
 * ({@code beacon-kafka-N-sender}, one batch at a time in the order sent), so a wait for metadata
 * or buffer space (at most {@code max.block.ms}) never holds the engine's scheduler thread.
 *
 * <p>A batch is {@link SendResult.Outcome#DELIVERED} once the broker acknowledged every record.
 * Failures are classified as Kafka classifies them: a {@link RetriableException} (timeouts,
 * leader changes, not enough replicas, a topic missing from the metadata...) is
 * {@link SendResult.Outcome#RETRYABLE}, with one WARN naming the topic and Kafka's error until a
 * batch is delivered again; a record too large for the producer or the topic makes the batch
 * {@link SendResult.Outcome#TOO_LARGE}, so that the engine splits it down to that one message and
 * reports it as too large; any other Kafka error (authorization, authentication, an invalid
 * topic, an unsupported version...) can never succeed by retrying and is
 * {@link SendResult.Outcome#PERMANENT}, logged once per kind.
 * When some records of a batch were acknowledged and others failed, the transport remembers the
 * acknowledged messages (up to {@value #REMEMBERED_MESSAGES} of them, by identity, held weakly)
 * and does not write them again when the engine sends the batch, or its halves, once more: the
 * rest is delivered without duplicates. They are forgotten when the batch is delivered, fails for
 * good, or is dropped by the engine (its retries spent): nothing is retained for a batch the
 * engine gave up. A record that fails before it reaches the producer's buffers (a wait for
 * metadata or buffer space over {@code max.block.ms}, a record too large) stops the attempt: the
 * batch's later records are not written until the retry, so that none lands in the topic before it.
 */
public final class KafkaTransport implements Transport {
  /** Header holding the message type: {@code identify}, {@code track}... */
  public static final String HEADER_TYPE = RecordLayout.HEADER_TYPE;
  /** Header holding the version of Beacon that wrote the record, e.g. {@code 0.1.0}. */
  public static final String HEADER_VERSION = RecordLayout.HEADER_VERSION;
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

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final String bootstrapServers;
  private final int maxConcurrentRequests;
  private final Duration attemptTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Messages already acknowledged in a batch that failed in part. */
  private final Acknowledged acknowledged = new Acknowledged(REMEMBERED_MESSAGES);
  private final Set<String> loggedPermanent = ConcurrentHashMap.newKeySet();
  /** Set once a retryable failure was logged; cleared by the next delivered batch. */
  private final AtomicBoolean loggedRetryable = new AtomicBoolean();
  /** Hands records to the producer, so that its waits for metadata never hold the engine's thread. */
  private final ThreadPoolExecutor sender;

  private KafkaTransport(Builder b, Producer<byte[], byte[]> producer, Duration attemptTimeout, int id) {
    this.producer = producer;
    this.topic = b.topic;
    this.bootstrapServers = b.bootstrapServers;
    this.maxConcurrentRequests = b.maxConcurrentRequests;
    this.attemptTimeout = attemptTimeout;
    String name = "beacon-kafka-" + id + "-sender";
    // The queue holds at most the engine's maxConcurrentRequests attempts at a time.
    this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
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
    return RecordLayout.key(message.userId(), message.anonymousId());
  }

  /**
   * Writes each message of the batch as one record. Returns at once, never throws, and never
   * waits for Kafka: the transport's thread hands the records to the producer.
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
      sender.execute(new Write(batch, result));
    } catch (RejectedExecutionException e) {
      result.complete(closedResult());
    }
    return result;
  }

  /** One attempt waiting for the sender thread; completed as closed if the transport closes first. */
  private final class Write implements Runnable {
    private final Batch batch;
    private final CompletableFuture<SendResult> result;

    Write(Batch batch, CompletableFuture<SendResult> result) {
      this.batch = batch;
      this.result = result;
    }

    @Override
    public void run() {
      if (closed.get()) {
        result.complete(closedResult());
        return;
      }
      try {
        write(batch, result);
      } catch (Throwable t) {
        // Never let the sender thread die: the engine learns of the attempt through its future.
        result.complete(SendResult.retryable(0, null, "unexpected error writing to Kafka: " + t, t));
      }
    }
  }

  private void write(Batch batch, CompletableFuture<SendResult> result) {
    try {
      List<Message> messages = batch.messages();
      List<Integer> toSend = new ArrayList<>(messages.size());
      for (int i = 0; i < messages.size(); i++) {
        if (!acknowledged.contains(messages.get(i))) {
          toSend.add(i);
        }
      }
      if (toSend.isEmpty()) {
        forget(messages);
        result.complete(SendResult.delivered(0));
        return;
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
        ProducerRecord<byte[], byte[]> record = RecordLayout.record(topic, recordKey(m), batch.messageJson(i),
            m.type(), null);
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
  }

  /** The batch is delivered or failed for good: the engine will not send these messages again. */
  private void forget(List<Message> messages) {
    acknowledged.removeAll(messages);
  }

  /** How many acknowledged messages are remembered now (tests). */
  int rememberedMessages() {
    return acknowledged.size();
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
        loggedRetryable.set(false);
        return SendResult.delivered(0);
      }
      if (closed.get()) {
        forget(messages);
        return closedResult();
      }
      Exception permanent = null;
      Exception retryable = null;
      Exception tooLarge = null;
      for (Exception e : failures.values()) {
        if (isTooLarge(e)) {
          tooLarge = e;
        } else if (isPermanent(e)) {
          permanent = e;
        } else {
          retryable = e;
        }
      }
      if (permanent != null) {
        // Final: the engine reports these messages and never sends them again.
        forget(messages);
        String detail = "Kafka refused the records for topic " + topic + ": " + permanent;
        if (loggedPermanent.add(permanent.getClass().getName())) {
          LOG.error("Beacon's Kafka transport cannot write to topic {} on {}: {}. Messages are reported to the"
              + " error callback; this is logged once per kind of error.", topic, bootstrapServers, permanent.toString());
        }
        return SendResult.permanent(0, detail, permanent);
      }
      // Remember what went through, so that the engine's next attempt (a retry, or the halves of
      // a split) writes only the messages that failed.
      for (int i : succeeded) {
        acknowledged.add(messages.get(i));
      }
      String waiting = notSent == 0 ? "" : " (" + notSent + " later record(s) not written, to keep the order)";
      if (retryable != null) {
        if (loggedRetryable.compareAndSet(false, true)) {
          // Kafka's own line (if an SLF4J binding shows it at all) is the only other trace: a topic
          // that does not exist, with auto-creation off, otherwise just looks like a slow flush.
          LOG.warn("Beacon's Kafka transport could not write to topic {} on {}: {}. The batch is retried with the"
              + " retry policy; if the topic does not exist, create it (brokers with auto.create.topics.enable=false"
              + " never do). Logged once until a batch is delivered again.", topic, bootstrapServers,
              retryable.toString());
        }
        return SendResult.retryable(0, null, "topic " + topic + ": " + failures.size() + " of " + messages.size()
            + " record(s) not acknowledged: " + retryable + waiting, retryable);
      }
      if (messages.size() == 1) {
        forget(messages);
      }
      return SendResult.tooLarge(0, failures.size() + " record(s) too large for Kafka: " + tooLarge.getMessage()
          + waiting);
    }
  }

  /** A record over the producer's {@code max.request.size} or the topic's {@code max.message.bytes}. */
  static boolean isTooLarge(Throwable e) {
    return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException;
  }

  /**
   * Kafka's own classification: what is not a {@link RetriableException} (in the exception or
   * its causes) never succeeds by retrying — authorization, authentication, an invalid topic, an
   * unsupported version, serialization, a producer in a fatal state. Too-large records have their
   * own outcome; an interrupted wait is the caller's doing, not Kafka's answer, and is retryable.
   */
  static boolean isPermanent(Throwable e) {
    if (isTooLarge(e) || e instanceof InterruptException) {
      return false;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RetriableException) {
        return false;
      }
    }
    return true;
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
   * Returns the producer's {@code max.block.ms} times {@link #maxConcurrentRequests()} (the
   * attempts queued ahead of one on the sender thread) plus its {@code delivery.timeout.ms} plus
   * five seconds: by then Kafka has completed every record of the attempt.
   *
   * @return the attempt guard
   */
  @Override
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  /**
   * Closes the producer, waiting up to five seconds for records still buffered, and stops the
   * sender thread. Attempts not completed by then end as retryable; attempts not started end as
   * closed. Safe to call more than once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    sender.shutdown();
    try {
      // Also ends a wait for metadata on the sender thread: the producer fails it when it closes.
      producer.close(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.warn("Beacon's Kafka transport: error closing the producer: {}", e.toString());
    }
    List<Runnable> neverRun = List.of();
    try {
      if (!sender.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        neverRun = sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      neverRun = sender.shutdownNow();
      Thread.currentThread().interrupt();
    }
    for (Runnable never : neverRun) {
      ((Write) never).result.complete(closedResult());
    }
    acknowledged.clear();
  }

  @Override
  public String toString() {
    return "KafkaTransport{topic=" + topic + ", bootstrapServers=" + bootstrapServers
        + ", maxConcurrentRequests=" + maxConcurrentRequests + "}";
  }

  /**
   * Messages acknowledged in batches that failed in part, by identity (the engine resends the
   * same objects, and two equal messages are two events), held weakly: once the engine drops a
   * batch it will not retry, its messages are collected and their entries go with them. At most
   * {@code capacity} entries; the oldest go first.
   */
  static final class Acknowledged {
    private final ReferenceQueue<Message> collected = new ReferenceQueue<>();
    private final LinkedHashMap<Key, Boolean> keys = new LinkedHashMap<>();
    private final int capacity;

    Acknowledged(int capacity) {
      this.capacity = capacity;
    }

    synchronized boolean contains(Message m) {
      purge();
      return keys.containsKey(new Key(m, null));
    }

    synchronized void add(Message m) {
      purge();
      keys.put(new Key(m, collected), Boolean.TRUE);
      if (keys.size() > capacity) {
        Iterator<Key> eldest = keys.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
    }

    synchronized void removeAll(List<Message> messages) {
      purge();
      if (!keys.isEmpty()) {
        for (Message m : messages) {
          keys.remove(new Key(m, null));
        }
      }
    }

    synchronized int size() {
      purge();
      return keys.size();
    }

    synchronized void clear() {
      keys.clear();
    }

    private void purge() {
      Reference<? extends Message> gone;
      while ((gone = collected.poll()) != null) {
        keys.remove(gone);
      }
    }

    /** A weak reference compared by the identity of its referent. */
    private static final class Key extends WeakReference<Message> {
      private final int hash;

      Key(Message m, ReferenceQueue<Message> queue) {
        super(m, queue);
        this.hash = System.identityHashCode(m);
      }

      @Override
      public int hashCode() {
        return hash;
      }

      @Override
      public boolean equals(Object o) {
        if (o == this) {
          return true;
        }
        if (!(o instanceof Key) || ((Key) o).hash != hash) {
          return false;
        }
        Message m = get();
        return m != null && m == ((Key) o).get();
      }
    }
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
      int id = CLIENT_IDS.incrementAndGet();
      props.put(ProducerConfig.CLIENT_ID_CONFIG, "beacon-kafka-" + id);
      props.putAll(properties);
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      Duration attemptTimeout;
      Producer<byte[], byte[]> producer;
      try {
        ProducerConfig config = new ProducerConfig(props);
        attemptTimeout = Duration.ofMillis(config.getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG))
            .multipliedBy(maxConcurrentRequests)
            .plusMillis(config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG))
            .plusSeconds(5);
        producer = producers.apply(props);
      } catch (KafkaException e) {
        throw new IllegalArgumentException("invalid Kafka producer settings: " + e.getMessage(), e);
      }
      return new KafkaTransport(this, producer, attemptTimeout, id);
    }

    @Override
    public String toString() {
      return "KafkaTransport.Builder{bootstrapServers=" + bootstrapServers + ", topic=" + topic + "}";
    }
  }
}
