package dev.beacon.transport.kafka;

import dev.beacon.MessageType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes already-validated Segment messages (JSON bytes) to Kafka, acknowledged by the broker
 * before success: the Kafka sink of {@code beacon gateway}. Each message becomes one record in
 * exactly the layout {@link KafkaTransport} writes — value the message's JSON, key its
 * {@code userId} else its {@code anonymousId}, headers {@value KafkaTransport#HEADER_TYPE} and
 * {@value KafkaTransport#HEADER_VERSION} — plus the header {@value #HEADER_SOURCE} naming the
 * source it came from (never its write key), so that {@code beacon relay} delivers what the
 * gateway wrote unchanged.
 *
 * <pre>{@code
 * KafkaEventSink sink = KafkaEventSink.builder()
 *     .bootstrapServers("kafka-1:9092,kafka-2:9092")
 *     .topic("beacon-events")
 *     .ackTimeout(Duration.ofSeconds(5))
 *     .build();
 * sink.append(List.of(new KafkaEventSink.Event(json, "track", "user-1", "web")))
 *     .whenComplete((ok, error) -> ...);   // 200 only when error == null
 * }</pre>
 *
 * <p><b>Acknowledged before success.</b> The producer is idempotent with {@code acks=all} (both
 * fixed); {@link #append} completes normally only once the broker acknowledged every record of
 * the call. It completes exceptionally with {@link Unavailable} when Kafka did not acknowledge
 * within the {@linkplain Builder#ackTimeout ack timeout} or failed with a
 * {@link org.apache.kafka.common.errors.RetriableException} (brokers unreachable, a topic missing
 * from the metadata, not enough replicas...) — the caller answers 503 and the client retries —
 * and with {@link Refused} when Kafka refused a record for good (a record too large, an
 * authorization error, an invalid topic...). Records of a failed call may still have been
 * written: a client that retries may write some twice (at least once, as everywhere in Beacon;
 * the relay and Segment drop duplicates by {@code messageId}).
 *
 * <p><b>Never blocks the caller.</b> {@code append} only reserves room and queues the call:
 * the sink's own sender thread ({@code beacon-kafka-sink-N-sender}) hands the records to the
 * producer, so a producer waiting for metadata (brokers unreachable, a topic that does not
 * exist) holds that thread, never a caller's (a Netty event loop). What the sink holds — queued
 * and not yet acknowledged — is bounded by {@link Builder#maxQueuedEvents} and
 * {@link Builder#maxQueuedBytes}: a call that does not fit completes with {@link Unavailable}
 * at once (backpressure). A second thread ({@code beacon-kafka-sink-N-timer}) ends calls at their
 * ack timeout and checks the topic while the sink is idle or failing, which {@link #ready()}
 * reports.
 *
 * <p>Producer defaults (each can be changed with {@link Builder#producerProperty}, except the
 * serializers, {@code acks} and {@code enable.idempotence}): {@code compression.type=lz4},
 * {@code delivery.timeout.ms} and {@code max.block.ms} equal to the ack timeout (neither may
 * exceed it), {@code request.timeout.ms} the smaller of Kafka's 30 s and the ack timeout minus
 * {@code linger.ms}, and {@code buffer.memory} at least twice {@code maxQueuedBytes}.
 */
public final class KafkaEventSink implements AutoCloseable {
  /** Header holding the name of the source a message came from; never its write key. */
  public static final String HEADER_SOURCE = RecordLayout.HEADER_SOURCE;
  /** Default {@link Builder#ackTimeout(Duration)}: 10 seconds. */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(10);
  /** Default {@link Builder#maxQueuedBytes(long)}: 16 MiB of JSON, keys and source names. */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 16L << 20;
  /** Default {@link Builder#maxQueuedEvents(int)}. */
  public static final int DEFAULT_MAX_QUEUED_EVENTS = 50_000;
  /** How often the topic is checked while no record was acknowledged since the last check. */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);
  private static final AtomicInteger IDS = new AtomicInteger();
  /** Ends the sender's loop; queued by {@link #close(Duration)} behind every call accepted before. */
  private static final Append STOP = new Append();

  private final String topic;
  private final String bootstrapServers;
  private final Duration ackTimeout;
  private final long maxQueuedBytes;
  private final int maxQueuedEvents;
  private final Producer<byte[], byte[]> producer;
  private final Probe probe;
  private final LinkedBlockingQueue<Append> queue = new LinkedBlockingQueue<>();
  /** Calls not completed yet (or completed by their deadline with records still at Kafka). */
  private final Set<Append> pending = ConcurrentHashMap.newKeySet();
  private final Budget budget;
  private final Health health;
  private final ScheduledThreadPoolExecutor timer;
  private final Thread sender;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object closeLock = new Object();

  private KafkaEventSink(Builder b, Producer<byte[], byte[]> producer, Probe probe, ThreadFactory threads, int id) {
    this.topic = b.topic;
    this.bootstrapServers = b.bootstrapServers;
    this.ackTimeout = b.ackTimeout;
    this.maxQueuedBytes = b.maxQueuedBytes;
    this.maxQueuedEvents = b.maxQueuedEvents;
    this.producer = producer;
    this.probe = probe;
    this.budget = new Budget(b.maxQueuedBytes, b.maxQueuedEvents);
    this.health = new Health(topic, bootstrapServers);
    String prefix = "beacon-kafka-sink-" + id;
    this.timer = new ScheduledThreadPoolExecutor(1, r -> named(threads, r, prefix + "-timer"));
    timer.setRemoveOnCancelPolicy(true);
    try {
      this.sender = named(threads, this::sendLoop, prefix + "-sender");
    } catch (RuntimeException e) {
      timer.shutdownNow();
      throw e;
    }
  }

  private static Thread named(ThreadFactory threads, Runnable r, String name) {
    Thread t = threads.newThread(r);
    if (t == null) {
      throw new IllegalArgumentException("threadFactory returned null for " + name);
    }
    t.setName(name);
    return t;
  }

  private KafkaEventSink start() {
    sender.start();
    timer.scheduleWithFixedDelay(this::probeIfIdle, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Starts a sink; set at least {@link Builder#bootstrapServers} and {@link Builder#topic}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * One message: its JSON object bytes as the gateway normalized them, its type, its key
   * ({@code userId} else {@code anonymousId}, may be null), its source name (a header, never the
   * write key).
   *
   * <p>The JSON array is not copied: do not change it after passing it to {@link #append}.
   *
   * @param json the message's JSON object, as it goes into a {@code /v1/batch} body; not empty
   * @param type the message's type: {@code identify}, {@code track}, {@code page},
   *     {@code screen}, {@code group} or {@code alias}
   * @param key the record key: the message's {@code userId}, else its {@code anonymousId}; null
   *     when it has neither (Kafka then spreads such records over the partitions)
   * @param source the name of the source the message came from, written in the
   *     {@value #HEADER_SOURCE} header; null for no such header
   */
  public record Event(byte[] json, String type, String key, String source) {
    /**
     * Checks the event.
     *
     * @param json the message's JSON object; not empty
     * @param type one of the six Segment types
     * @param key the record key, or null
     * @param source the source's name, or null
     * @throws NullPointerException when {@code json} or {@code type} is null
     * @throws IllegalArgumentException when {@code json} is empty or {@code type} is not one of
     *     the six Segment types
     */
    public Event {
      Objects.requireNonNull(json, "json");
      Objects.requireNonNull(type, "type");
      if (json.length == 0) {
        throw new IllegalArgumentException("json must not be empty");
      }
      MessageType.fromWireName(type);
    }
  }

  /**
   * Kafka did not acknowledge in time, or failed with an error that may pass by retrying
   * (Kafka's {@link org.apache.kafka.common.errors.RetriableException}), or the sink is full or
   * closed: answer 503 with {@code Retry-After}; the client retries.
   */
  public static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure.
     *
     * @param message what happened, naming the topic (never a write key)
     * @param cause Kafka's error, or null
     */
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Kafka refused a record for good ({@link org.apache.kafka.common.errors.RecordTooLargeException},
   * an authorization error, an invalid topic...), or the call alone is larger than the sink's
   * bounds: retrying the same events can never succeed.
   */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean tooLarge;

    /**
     * Creates the failure.
     *
     * @param message what happened, naming the topic and Kafka's error (never a write key)
     * @param cause Kafka's error, or null
     * @param tooLarge whether a record, or the call, was too large (a 413 rather than a 500)
     */
    public Refused(String message, Throwable cause, boolean tooLarge) {
      super(message, cause);
      this.tooLarge = tooLarge;
    }

    /**
     * Returns whether the refusal is about size: a record over the producer's
     * {@code max.request.size} or the topic's {@code max.message.bytes}, or a call larger than
     * the sink's bounds.
     *
     * @return true for a size refusal
     */
    public boolean tooLarge() {
      return tooLarge;
    }
  }

  /**
   * Writes the events, one record each, in order. Returns at once and never throws for Kafka's
   * sake: the records are handed to the producer by the sink's sender thread.
   *
   * @param events the events of one request; may be empty (completed at once)
   * @return completes normally once Kafka acknowledged ({@code acks=all}) every record;
   *     exceptionally with {@link Unavailable} (retriable, the ack timeout passed, the sink full
   *     or closed) or {@link Refused} (non-retriable)
   * @throws NullPointerException when {@code events} or one of them is null
   */
  public CompletableFuture<Void> append(List<Event> events) {
    Objects.requireNonNull(events, "events");
    CompletableFuture<Void> result = new CompletableFuture<>();
    int n = events.size();
    if (n == 0) {
      result.complete(null);
      return result;
    }
    byte[][] keys = new byte[n][];
    byte[][] sources = new byte[n][];
    MessageType[] types = new MessageType[n];
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      Event e = Objects.requireNonNull(events.get(i), "events[" + i + "]");
      keys[i] = e.key() == null ? null : e.key().getBytes(StandardCharsets.UTF_8);
      sources[i] = e.source() == null ? null : e.source().getBytes(StandardCharsets.UTF_8);
      types[i] = MessageType.fromWireName(e.type());
      bytes += e.json().length + (keys[i] == null ? 0 : keys[i].length) + (sources[i] == null ? 0 : sources[i].length);
    }
    if (closed.get()) {
      result.completeExceptionally(closedFailure());
      return result;
    }
    if (n > maxQueuedEvents || bytes > maxQueuedBytes) {
      result.completeExceptionally(new Refused("a call of " + n + " event(s), " + bytes + " bytes, is larger than"
          + " the Kafka sink's bounds (maxQueuedEvents " + maxQueuedEvents + ", maxQueuedBytes " + maxQueuedBytes
          + ") for topic " + topic, null, true));
      return result;
    }
    if (!budget.tryReserve(bytes, n)) {
      result.completeExceptionally(new Unavailable("the Kafka sink is full: it holds " + budget.describe()
          + " waiting for acknowledgements; " + health.text(), null));
      return result;
    }
    Append a = new Append(this, events, keys, sources, types, result);
    pending.add(a);
    try {
      a.deadline = timer.schedule(a::expire, ackTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile: the check below ends it
    }
    queue.add(a);
    if (closed.get()) {
      // close() may have swept pending before this call was added: end it here (at most once).
      a.fail(closedFailure());
    }
    return result;
  }

  /**
   * Returns whether the sink can write now: false until the topic's metadata was fetched, while
   * the brokers are unreachable, the topic is missing or records are failing, and after
   * {@link #close}. Learned from every acknowledgement and failure, and, while no record was
   * acknowledged for a second, by asking the brokers about the topic.
   *
   * @return true when the last evidence is that Kafka acknowledges
   */
  public boolean ready() {
    return !closed.get() && health.ready();
  }

  /**
   * Returns a short description for {@code /ready} and logs: ready or not and why (Kafka's
   * error), the topic and brokers, and what is queued. Never a secret.
   *
   * @return e.g. {@code "ready (topic beacon-events on kafka-1:9092); queued 0 event(s), 0 bytes (bounds
   *     50000 events, 16777216 bytes)"}
   */
  public String state() {
    if (closed.get()) {
      return "closed: topic " + topic + " on " + bootstrapServers;
    }
    return health.text() + "; queued " + budget.describe();
  }

  /**
   * Stops taking calls, hands every call already accepted to the producer and waits for Kafka's
   * acknowledgements, all within {@code timeout}; calls not acknowledged by then complete with
   * {@link Unavailable}. Every call made before this returns is completed when it returns. Safe
   * to call more than once.
   *
   * @param timeout the longest wait
   */
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    synchronized (closeLock) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
      queue.add(STOP);
      try {
        // The sender hands over what is queued; it waits for metadata at most max.block.ms.
        join(sender, deadline);
        try {
          // Flushes the records in the producer's buffers and waits for their acknowledgements;
          // when the time is up it aborts them, failing their callbacks. It also ends a wait
          // for metadata on the sender thread.
          producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (RuntimeException e) {
          LOG.warn("Beacon's Kafka sink: error closing the producer for topic {}: {}", topic, e.toString());
        }
        join(sender, deadline);
      } catch (InterruptedException e) {
        producer.close(Duration.ZERO);
        Thread.currentThread().interrupt();
      }
      for (Append a : pending) {
        a.fail(closedFailure());
      }
      pending.clear();
      timer.shutdownNow();
      probe.close();
    }
  }

  /** Closes as {@link #close(Duration)} does, waiting at most the ack timeout. */
  @Override
  public void close() {
    close(ackTimeout);
  }

  private static void join(Thread t, long deadlineNanos) throws InterruptedException {
    long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    if (millis > 0) {
      t.join(millis);
    }
  }

  private Unavailable closedFailure() {
    return new Unavailable("the Kafka sink for topic " + topic + " is closed; records of this call not"
        + " acknowledged by then may still have been written", null);
  }

  @Override
  public String toString() {
    return "KafkaEventSink{topic=" + topic + ", bootstrapServers=" + bootstrapServers + ", ackTimeout=" + ackTimeout
        + "}";
  }

  // ---------------------------------------------------------------- sender thread

  private void sendLoop() {
    while (true) {
      Append a;
      try {
        a = queue.take();
      } catch (InterruptedException e) {
        // Only close() stops the sender, through STOP; an interrupt from elsewhere is ignored.
        continue;
      }
      if (a == STOP) {
        return;
      }
      try {
        a.send();
      } catch (Throwable t) {
        // Never let the sender die: the call learns of it through its future.
        a.recordsEnded(a.unsentFrom(a.next), new Unavailable("unexpected error writing to topic " + topic + ": " + t, t));
      }
    }
  }

  // ---------------------------------------------------------------- health

  private void probeIfIdle() {
    if (closed.get() || !health.probeDue()) {
      return;
    }
    long started = System.nanoTime();
    CompletableFuture<Void> check;
    try {
      check = probe.check(topic, ackTimeout);
    } catch (RuntimeException e) {
      // A task of the timer that throws is never run again: the check fails, the next one runs.
      health.failure(e, System.nanoTime());
      health.probeEnded();
      return;
    }
    check.whenComplete((ok, error) -> {
      if (error == null) {
        health.success(started);
      } else {
        health.failure(error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error, System.nanoTime());
      }
      health.probeEnded();
    });
  }

  /**
   * The sink's readiness, from the latest evidence: an acknowledgement or a successful check of
   * the topic makes it ready, a retriable failure, an expired call or a failed check makes it
   * unavailable. Evidence older than what is already known is ignored, so a check that started
   * before a failure cannot hide it.
   */
  private static final class Health {
    /** Kafka's messages are short; this only keeps a pathological one from filling /ready. */
    private static final int MAX_REASON = 1_000;
    private final String topic;
    private final String servers;
    private boolean ready;
    private String why = "topic not checked yet";
    /** Kafka's last error; never built from {@link #text()}, so reasons never nest. */
    private String lastError;
    private long evidenceAt = Long.MIN_VALUE;
    private boolean ackedSinceProbe;
    private boolean probing;
    private long unavailableSince;

    Health(String topic, String servers) {
      this.topic = topic;
      this.servers = servers;
    }

    synchronized boolean ready() {
      return ready;
    }

    synchronized String text() {
      return (ready ? "ready" : "unavailable: " + why) + " (topic " + topic + " on " + servers + ")";
    }

    private boolean older(long at) {
      return evidenceAt != Long.MIN_VALUE && at - evidenceAt < 0;
    }

    synchronized void success(long at) {
      ackedSinceProbe = true;
      if (older(at)) {
        return;
      }
      evidenceAt = at;
      if (!ready && unavailableSince != 0) {
        LOG.info("Beacon's Kafka sink: topic {} on {} acknowledges again after {} s", topic, servers,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - unavailableSince));
      }
      ready = true;
      unavailableSince = 0;
    }

    /** Kafka failed a record or a check of the topic. */
    synchronized void failure(Throwable kafkaError, long at) {
      if (older(at)) {
        return;
      }
      String e = String.valueOf(kafkaError);
      lastError = e.length() > MAX_REASON ? e.substring(0, MAX_REASON) + "..." : e;
      unavailable(lastError, at);
    }

    /** A call reached its ack timeout. */
    synchronized void timedOut(Duration ackTimeout, long at) {
      if (older(at)) {
        return;
      }
      unavailable("no acknowledgement within " + ackTimeout + (lastError == null ? "" : "; Kafka's last error: "
          + lastError), at);
    }

    private void unavailable(String reason, long at) {
      evidenceAt = at;
      why = reason;
      if (ready || unavailableSince == 0) {
        LOG.warn("Beacon's Kafka sink cannot write to topic {} on {}: {}. Calls fail as unavailable until Kafka"
            + " acknowledges again; if the topic does not exist, create it.", topic, servers, reason);
        unavailableSince = at == 0 ? 1 : at;
      }
      ready = false;
    }

    /** Whether to ask the brokers: no acknowledgement since the last check, and none in flight. */
    synchronized boolean probeDue() {
      if (probing || (ackedSinceProbe && ready)) {
        ackedSinceProbe = false;
        return false;
      }
      probing = true;
      return true;
    }

    synchronized void probeEnded() {
      probing = false;
    }
  }

  /** Asks the brokers whether the topic can be written: it exists and each partition has a leader. */
  interface Probe {
    CompletableFuture<Void> check(String topic, Duration timeout);

    void close();
  }

  /** The probe through Kafka's admin client, with the producer's connection settings. */
  private static final class AdminProbe implements Probe {
    private final Admin admin;

    AdminProbe(Properties producerProps) {
      Properties p = new Properties();
      Set<String> known = AdminClientConfig.configNames();
      producerProps.forEach((k, v) -> {
        if (known.contains(String.valueOf(k)) && !ProducerConfig.CLIENT_ID_CONFIG.equals(k)) {
          p.put(k, v);
        }
      });
      p.put(AdminClientConfig.CLIENT_ID_CONFIG, producerProps.get(ProducerConfig.CLIENT_ID_CONFIG) + "-probe");
      this.admin = Admin.create(p);
    }

    @Override
    public CompletableFuture<Void> check(String topic, Duration timeout) {
      CompletableFuture<Void> out = new CompletableFuture<>();
      admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis()))
          .allTopicNames().whenComplete((names, error) -> {
            if (error != null) {
              out.completeExceptionally(error);
              return;
            }
            TopicDescription d = names.get(topic);
            if (d == null) {
              out.completeExceptionally(new KafkaException("topic " + topic + " not described"));
              return;
            }
            for (TopicPartitionInfo p : d.partitions()) {
              if (p.leader() == null || p.leader().isEmpty()) {
                out.completeExceptionally(new KafkaException("partition " + p.partition() + " of topic " + topic
                    + " has no leader"));
                return;
              }
            }
            out.complete(null);
          });
      return out;
    }

    @Override
    public void close() {
      admin.close(Duration.ZERO);
    }
  }

  // ---------------------------------------------------------------- budget

  /** What the sink holds, queued or at Kafka, against its two bounds. */
  private static final class Budget {
    private final long maxBytes;
    private final int maxEvents;
    private long bytes;
    private int events;

    Budget(long maxBytes, int maxEvents) {
      this.maxBytes = maxBytes;
      this.maxEvents = maxEvents;
    }

    synchronized boolean tryReserve(long b, int n) {
      if (events + n > maxEvents || bytes + b > maxBytes) {
        return false;
      }
      events += n;
      bytes += b;
      return true;
    }

    synchronized void release(long b, int n) {
      events -= n;
      bytes -= b;
    }

    synchronized String describe() {
      return events + " event(s), " + bytes + " bytes (bounds " + maxEvents + " events, " + maxBytes + " bytes)";
    }
  }

  // ---------------------------------------------------------------- one call

  /**
   * One call to {@link #append}: its records' outcomes, its result. Each record is released from
   * the budget exactly once — when Kafka completes it, or when it is never sent — so what the
   * sink holds always matches the budget, whatever completed the call's future first.
   */
  private static final class Append {
    private final KafkaEventSink sink;
    private final List<Event> events;
    private final byte[][] keys;
    private final byte[][] sources;
    private final MessageType[] types;
    private final CompletableFuture<Void> result;
    volatile ScheduledFuture<?> deadline;
    /** The next record to hand to the producer (sender thread only). */
    int next;
    private int remaining;
    private int acked;
    private Throwable refused;
    private Throwable retriable;
    /** Set once a record failed before reaching the producer's buffers: the rest is not sent. */
    private volatile boolean stopSending;

    /** The {@link #STOP} marker. */
    Append() {
      this.sink = null;
      this.events = List.of();
      this.keys = null;
      this.sources = null;
      this.types = null;
      this.result = null;
    }

    Append(KafkaEventSink sink, List<Event> events, byte[][] keys, byte[][] sources, MessageType[] types,
        CompletableFuture<Void> result) {
      this.sink = sink;
      this.events = List.copyOf(events);
      this.keys = keys;
      this.sources = sources;
      this.types = types;
      this.result = result;
      this.remaining = events.size();
    }

    private long bytes(int i) {
      return events.get(i).json().length + (keys[i] == null ? 0 : keys[i].length)
          + (sources[i] == null ? 0 : sources[i].length);
    }

    /** On the sender thread: hands the records to the producer, in order. */
    void send() {
      for (int i = 0; i < events.size(); i++) {
        next = i;
        if (stopSending || result.isDone()) {
          // Expired, failed or closed: what was not sent yet is never sent (fewer duplicates
          // when the client retries), and a record failed before the producer's buffers keeps
          // the call's later records from landing before its retry.
          recordsEnded(unsentFrom(i), null);
          return;
        }
        int index = i;
        next = i + 1;
        try {
          sink.producer.send(RecordLayout.record(sink.topic, keys[i], events.get(i).json(), types[i], sources[i]),
              (meta, ex) -> onRecord(index, ex));
        } catch (RuntimeException e) {
          // KafkaProducer reports most errors through the callback; a closed producer or an
          // interrupted wait for metadata throws instead.
          onRecord(index, e);
        }
      }
    }

    int unsentFrom(int i) {
      return events.size() - i;
    }

    private long unsentBytes(int from) {
      long b = 0;
      for (int i = from; i < events.size(); i++) {
        b += bytes(i);
      }
      return b;
    }

    /** Kafka's callback (or a send that threw) for record {@code index}. */
    void onRecord(int index, Exception ex) {
      sink.budget.release(bytes(index), 1);
      if (ex == null) {
        sink.health.success(System.nanoTime());
      } else {
        stopSending = true;
        if (!KafkaTransport.isTooLarge(ex)) {
          // A record too large says nothing about Kafka's health; anything else does.
          sink.health.failure(ex, System.nanoTime());
        }
      }
      boolean last;
      synchronized (this) {
        if (ex == null) {
          acked++;
        } else if (KafkaTransport.isTooLarge(ex) || (KafkaTransport.isPermanent(ex) && !sink.closed.get())) {
          // A producer closed under a record ("Producer closed while send in progress") is the
          // sink's close, not Kafka's refusal: the call is unavailable, as after close.
          if (refused == null) {
            refused = ex;
          }
        } else if (retriable == null) {
          retriable = ex;
        }
        last = --remaining == 0;
      }
      if (last) {
        finish();
      }
    }

    /**
     * Records from {@code unsentFrom(k)} never sent: their room is released; {@code failure}
     * (if any) completes the call.
     */
    void recordsEnded(int count, Throwable failure) {
      if (count > 0) {
        sink.budget.release(unsentBytes(events.size() - count), count);
      }
      boolean last;
      synchronized (this) {
        remaining -= count;
        if (failure != null && retriable == null) {
          retriable = failure;
        }
        last = remaining == 0;
      }
      if (last) {
        finish();
      } else if (failure != null) {
        fail(failure instanceof RuntimeException ? (RuntimeException) failure : new Unavailable(failure.toString(),
            failure));
      }
    }

    /** Every record has its outcome: complete the call, as Kafka classified its errors. */
    private void finish() {
      RuntimeException failure;
      synchronized (this) {
        if (refused == null && retriable == null && acked == events.size()) {
          failure = null;
        } else if (refused != null) {
          boolean tooLarge = KafkaTransport.isTooLarge(refused);
          failure = new Refused("Kafka refused " + (events.size() - acked) + " of " + events.size()
              + " record(s) for topic " + sink.topic + ": " + refused, refused, tooLarge);
        } else if (retriable instanceof Unavailable) {
          failure = (Unavailable) retriable;
        } else {
          failure = new Unavailable("Kafka did not acknowledge " + (events.size() - acked) + " of " + events.size()
              + " record(s) for topic " + sink.topic + ": " + retriable, retriable);
        }
      }
      sink.pending.remove(this);
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
      if (failure == null) {
        result.complete(null);
      } else {
        result.completeExceptionally(failure);
      }
    }

    /** The ack timeout passed: the caller answers now; the records still at Kafka release their room later. */
    void expire() {
      if (result.isDone()) {
        return;
      }
      Unavailable u;
      synchronized (this) {
        u = new Unavailable("Kafka did not acknowledge " + remaining + " of " + events.size() + " record(s) for topic "
            + sink.topic + " within the ack timeout of " + sink.ackTimeout + " (" + sink.health.text() + ")", null);
      }
      sink.health.timedOut(sink.ackTimeout, System.nanoTime());
      fail(u);
    }

    void fail(RuntimeException failure) {
      result.completeExceptionally(failure);
    }
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures a {@link KafkaEventSink}. Validated at {@link #build()} with a message naming the
   * option and the bad value.
   */
  public static final class Builder {
    private String bootstrapServers;
    private String topic;
    private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
    private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
    private int maxQueuedEvents = DEFAULT_MAX_QUEUED_EVENTS;
    private ThreadFactory threadFactory;
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
     * Sets the topic to write to. Required; create it beforehand (the topic {@code beacon relay}
     * reads).
     *
     * @param topic the topic name
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /**
     * Sets any Kafka producer property ({@code security.protocol}, {@code linger.ms},
     * {@code compression.type}...), overriding the sink's defaults. The serializers,
     * {@code acks} (always {@code all}) and {@code enable.idempotence} (always {@code true})
     * cannot be changed; {@code delivery.timeout.ms} and {@code max.block.ms} may not exceed
     * the ack timeout. Connection settings (security, SASL, SSL) also apply to the admin client
     * that checks the topic.
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
     * Sets how long a call waits for Kafka's acknowledgements at most: by then {@link #append}
     * has completed, with {@link Unavailable} if some record was not acknowledged. Default
     * {@link KafkaEventSink#DEFAULT_ACK_TIMEOUT} (10 s); also the producer's
     * {@code delivery.timeout.ms} and {@code max.block.ms} unless set.
     *
     * @param ackTimeout 1 second to 5 minutes
     * @return this builder
     */
    public Builder ackTimeout(Duration ackTimeout) {
      this.ackTimeout = ackTimeout;
      return this;
    }

    /**
     * Sets how many bytes of events (JSON, keys and source names) the sink holds at most, queued
     * or waiting for Kafka's acknowledgement; a call that does not fit completes with
     * {@link Unavailable} at once. Default {@link KafkaEventSink#DEFAULT_MAX_QUEUED_BYTES}
     * (16 MiB); keep it at least one request's size (Segment allows 500 KB), since a single
     * call larger than the bound is {@link Refused}.
     *
     * @param maxQueuedBytes at least 1
     * @return this builder
     */
    public Builder maxQueuedBytes(long maxQueuedBytes) {
      this.maxQueuedBytes = maxQueuedBytes;
      return this;
    }

    /**
     * Sets how many events the sink holds at most, queued or waiting for Kafka's
     * acknowledgement; a call that does not fit completes with {@link Unavailable} at once.
     * Default {@value KafkaEventSink#DEFAULT_MAX_QUEUED_EVENTS}; keep it at least one batch
     * (Segment allows 2,500 messages), since a single call larger than the bound is
     * {@link Refused}.
     *
     * @param maxQueuedEvents at least 1
     * @return this builder
     */
    public Builder maxQueuedEvents(int maxQueuedEvents) {
      this.maxQueuedEvents = maxQueuedEvents;
      return this;
    }

    /**
     * Sets the factory of the sink's two threads (the sender and the timer), which the sink
     * names {@code beacon-kafka-sink-N-sender} and {@code -timer}. Default: daemon threads.
     *
     * @param threadFactory the factory; it must not return null
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
      return this;
    }

    /**
     * Validates the settings, creates the producer and the admin client (they connect on first
     * use) and starts the sink's threads.
     *
     * @return the sink, which the caller closes
     * @throws IllegalArgumentException naming the first invalid option or producer property
     */
    public KafkaEventSink build() {
      return build(KafkaProducer::new, AdminProbe::new);
    }

    /** As {@link #build()}, with the producer and the probe made from the final properties (tests). */
    KafkaEventSink build(Function<Properties, Producer<byte[], byte[]>> producers,
        Function<Properties, Probe> probes) {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers must be set (e.g. kafka-1:9092) but was "
            + bootstrapServers);
      }
      if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
        throw new IllegalArgumentException("topic must be 1 to 249 characters among a-z A-Z 0-9 . _ - but was "
            + topic);
      }
      if (ackTimeout == null || ackTimeout.compareTo(Duration.ofSeconds(1)) < 0
          || ackTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("ackTimeout must be between 1 second and 5 minutes but was " + ackTimeout);
      }
      if (maxQueuedBytes < 1) {
        throw new IllegalArgumentException("maxQueuedBytes must be at least 1 but was " + maxQueuedBytes);
      }
      if (maxQueuedEvents < 1) {
        throw new IllegalArgumentException("maxQueuedEvents must be at least 1 but was " + maxQueuedEvents);
      }
      for (String fixed : List.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
        if (properties.containsKey(fixed)) {
          throw new IllegalArgumentException("producer property " + fixed + " cannot be set: records are the"
              + " messages' JSON bytes");
        }
      }
      requireFixed(ProducerConfig.ACKS_CONFIG, "all", "-1");
      requireFixed(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      long ackMs = ackTimeout.toMillis();
      Properties props = new Properties();
      props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, KafkaTransport.DEFAULT_COMPRESSION);
      props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(ackMs));
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(ackMs));
      int id = IDS.incrementAndGet();
      props.put(ProducerConfig.CLIENT_ID_CONFIG, "beacon-kafka-sink-" + id);
      props.putAll(properties);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      Producer<byte[], byte[]> producer;
      Probe probe;
      try {
        ProducerConfig parsed = new ProducerConfig(props);
        for (String bounded : List.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ProducerConfig.MAX_BLOCK_MS_CONFIG)) {
          long v = ((Number) parsed.values().get(bounded)).longValue();
          if (v > ackMs) {
            throw new IllegalArgumentException("producer property " + bounded + " must not exceed the ackTimeout ("
                + ackMs + " ms) but was " + v);
          }
        }
        if (!properties.containsKey(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)) {
          // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
          long linger = parsed.getLong(ProducerConfig.LINGER_MS_CONFIG);
          long deliveryMs = ((Number) parsed.values().get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).longValue();
          long request = Math.min(parsed.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG), deliveryMs - linger);
          props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, request)));
        }
        if (!properties.containsKey(ProducerConfig.BUFFER_MEMORY_CONFIG)) {
          long buffer = Math.max(parsed.getLong(ProducerConfig.BUFFER_MEMORY_CONFIG), 2 * maxQueuedBytes);
          props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(buffer));
        }
        new ProducerConfig(props);
      } catch (KafkaException e) {
        throw new IllegalArgumentException("invalid Kafka producer settings: " + e.getMessage(), e);
      }
      try {
        producer = producers.apply(props);
      } catch (KafkaException e) {
        throw new IllegalArgumentException("invalid Kafka producer settings: " + e.getMessage(), e);
      }
      try {
        probe = probes.apply(props);
      } catch (RuntimeException e) {
        producer.close(Duration.ZERO);
        throw e instanceof KafkaException
            ? new IllegalArgumentException("invalid Kafka client settings: " + e.getMessage(), e) : e;
      }
      ThreadFactory threads = threadFactory != null ? threadFactory : r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
      };
      try {
        return new KafkaEventSink(this, producer, probe, threads, id).start();
      } catch (RuntimeException | Error e) {
        producer.close(Duration.ZERO);
        probe.close();
        throw e;
      }
    }

    private void requireFixed(String name, String... allowed) {
      Object v = properties.get(name);
      if (v != null && !List.of(allowed).contains(String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("producer property " + name + " must stay " + allowed[0]
            + " (the sink acknowledges only what every in-sync replica has) but was " + v);
      }
    }

    @Override
    public String toString() {
      return "KafkaEventSink.Builder{bootstrapServers=" + bootstrapServers + ", topic=" + topic + "}";
    }
  }
}
