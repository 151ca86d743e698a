package dev.beacon.relay.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes finally failed and invalid records to the dead-letter topic, with the reason, status,
 * time and origin in headers. A record is settled only once the dead-letter topic acknowledged
 * it. Writes run on the relay's dead-letter thread, never on the consumer thread, so a producer
 * waiting for metadata ({@code max.block.ms}) never holds a poll. Failures are classified as
 * Kafka classifies them:
 * <ul>
 *   <li>a record too large for the topic or the producer is written once more as a truncated
 *       copy: its first {@value #TRUNCATED_BYTES} bytes, with the usual headers and
 *       {@value KafkaRelay#HEADER_TRUNCATED} giving the original size, so offsets advance and
 *       the record is still on record;
 *   <li>a {@link RetriableException} is retried with a growing pause (up to 30 s) until it
 *       succeeds or the relay halts; the record waits, uncommitted (a metadata timeout also has
 *       the consumer thread ask whether the topic exists: a missing topic is fatal);
 *   <li>anything else (authorization, an invalid topic, a truncated copy still too large) can
 *       never succeed: the relay fails, with nothing committed past the record.
 * </ul>
 */
final class DeadLetters {
  /** How much of a record's value a truncated copy keeps. */
  static final int TRUNCATED_BYTES = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final ScheduledExecutorService thread;
  private final Counters counters;
  private final BiConsumer<String, Throwable> fatal;
  private final Runnable checkTopic;
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private final AtomicLong lastTruncationLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private volatile boolean halted;

  DeadLetters(Producer<byte[], byte[]> producer, String topic, ScheduledExecutorService thread, Counters counters,
      BiConsumer<String, Throwable> fatal, Runnable checkTopic) {
    this.producer = producer;
    this.topic = topic;
    this.thread = thread;
    this.counters = counters;
    this.fatal = fatal;
    this.checkTopic = checkTopic;
  }

  String topic() {
    return topic;
  }

  /** Hands the record to the dead-letter thread; returns at once. */
  void write(Entry e, DeadLetterReason reason, int status, String detail) {
    run(() -> send(e, reason, status, detail, 0, false));
  }

  private void run(Runnable task) {
    if (halted) {
      return;
    }
    try {
      thread.execute(() -> guarded(task));
    } catch (RejectedExecutionException halting) {
      // Halting: the record stays unsettled and uncommitted, so it is read again after a restart.
    }
  }

  /** A scheduled task's exception would vanish into its future: it stops the relay instead. */
  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      fatal.accept("the dead-letter thread failed on " + t, t);
    }
  }

  private void send(Entry e, DeadLetterReason reason, int status, String detail, int attempt, boolean truncated) {
    byte[] value = e.value;
    byte[] key = e.key;
    if (halted || !e.pending()) {
      return;
    }
    List<Header> headers = headers(e, reason, status, detail);
    if (truncated) {
      int size = value == null ? 0 : value.length;
      headers.add(header(KafkaRelay.HEADER_TRUNCATED, Integer.toString(size)));
      value = value == null ? null : Arrays.copyOf(value, Math.min(size, TRUNCATED_BYTES));
      key = key == null ? null : Arrays.copyOf(key, Math.min(key.length, TRUNCATED_BYTES));
    }
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, key, value, headers);
    try {
      producer.send(record, (meta, ex) -> {
        if (ex == null) {
          counters.deadLettered.incrementAndGet();
          if (reason == DeadLetterReason.INVALID) {
            counters.invalid.incrementAndGet();
          }
          e.settle();
        } else {
          failed(e, reason, status, detail, attempt, truncated, ex);
        }
      });
    } catch (RuntimeException ex) {
      failed(e, reason, status, detail, attempt, truncated, ex);
    }
  }

  /** Runs on the producer's thread (a callback) or the dead-letter thread: it must not block. */
  private void failed(Entry e, DeadLetterReason reason, int status, String detail, int attempt, boolean truncated,
      Exception ex) {
    if (halted) {
      return;
    }
    if (!truncated && (ex instanceof RecordTooLargeException || ex instanceof RecordBatchTooLargeException)) {
      long now = System.nanoTime();
      long last = lastTruncationLog.get();
      if (now - last >= LOG_EVERY_NANOS && lastTruncationLog.compareAndSet(last, now)) {
        LOG.warn("Beacon relay: the record {}-{} at offset {} ({} bytes) is too large for the dead-letter topic {}"
            + " ({}); writing a truncated copy (its first {} bytes, header {}). Logged once per 30 s.",
            e.partition.topic(), e.partition.partition(), e.offset, valueSize(e), topic, ex.toString(),
            TRUNCATED_BYTES, KafkaRelay.HEADER_TRUNCATED);
      }
      run(() -> send(e, reason, status, detail, 0, true));
      return;
    }
    if (!retriable(ex)) {
      fatal.accept("cannot write to the dead-letter topic " + topic + ": " + ex + " (record " + e.partition
          + " at offset " + e.offset + (truncated ? ", truncated copy" : "") + "); nothing past it is committed",
          ex);
      return;
    }
    if (ex instanceof TimeoutException || ex instanceof UnknownTopicOrPartitionException) {
      checkTopic.run();
    }
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
      LOG.warn("Beacon relay cannot write to the dead-letter topic {} ({}); retrying. The records wait, uncommitted.",
          topic, ex.toString());
    }
    long delayMillis = Math.min(30_000L, 500L << Math.min(attempt, 6));
    try {
      thread.schedule(() -> guarded(() -> send(e, reason, status, detail, attempt + 1, truncated)), delayMillis,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException rejected) {
      // Halting: the record stays unsettled and uncommitted, so it is read again after a restart.
    }
  }

  private static int valueSize(Entry e) {
    byte[] v = e.value;
    return v == null ? 0 : v.length;
  }

  /** Kafka's own classification, causes included; an interrupted wait is the relay halting. */
  static boolean retriable(Throwable ex) {
    if (ex instanceof InterruptException) {
      return true;
    }
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RetriableException) {
        return true;
      }
    }
    return false;
  }

  static List<Header> headers(Entry e, DeadLetterReason reason, int status, String detail) {
    List<Header> h = new ArrayList<>(8);
    h.add(header(KafkaRelay.HEADER_REASON, reason.name()));
    h.add(header(KafkaRelay.HEADER_STATUS, Integer.toString(status)));
    h.add(header(KafkaRelay.HEADER_TIME, Instant.now().toString()));
    h.add(header(KafkaRelay.HEADER_DETAIL, detail == null ? "" : truncate(detail)));
    h.add(header(KafkaRelay.HEADER_TOPIC, e.partition.topic()));
    h.add(header(KafkaRelay.HEADER_PARTITION, Integer.toString(e.partition.partition())));
    h.add(header(KafkaRelay.HEADER_OFFSET, Long.toString(e.offset)));
    return h;
  }

  private static String truncate(String s) {
    return s.length() <= 1000 ? s : s.substring(0, 1000) + "...";
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Stops retrying; records not yet written stay unsettled. */
  void halt() {
    halted = true;
  }

  void close(Duration timeout) {
    halted = true;
    try {
      producer.close(timeout);
    } catch (RuntimeException ex) {
      LOG.warn("Beacon relay: error closing the dead-letter producer: {}", ex.toString());
    }
  }
}
