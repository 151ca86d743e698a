package dev.beacon.relay.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes finally failed and invalid records to the dead-letter topic, with the reason, status,
 * time and origin in headers. A record is settled only once the dead-letter topic acknowledged
 * it; a failed write is retried (with a growing pause, up to 30 s) until it succeeds or the relay
 * halts, so nothing leaves the relay's hands unrecorded: an unsettled record is never committed.
 */
final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final ScheduledExecutorService retries;
  private final Counters counters;
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private volatile boolean halted;

  DeadLetters(Producer<byte[], byte[]> producer, String topic, ScheduledExecutorService retries, Counters counters) {
    this.producer = producer;
    this.topic = topic;
    this.retries = retries;
    this.counters = counters;
  }

  String topic() {
    return topic;
  }

  void write(Entry e, DeadLetterReason reason, int status, String detail) {
    write(e, reason, status, detail, 0);
  }

  private void write(Entry e, DeadLetterReason reason, int status, String detail, int attempt) {
    if (halted || !e.pending()) {
      return;
    }
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, e.key, e.value,
        headers(e, reason, status, detail));
    try {
      producer.send(record, (meta, ex) -> {
        if (ex == null) {
          counters.deadLettered.incrementAndGet();
          if (reason == DeadLetterReason.INVALID) {
            counters.invalid.incrementAndGet();
          }
          e.settle();
        } else {
          retryLater(e, reason, status, detail, attempt, ex);
        }
      });
    } catch (RuntimeException ex) {
      retryLater(e, reason, status, detail, attempt, ex);
    }
  }

  private void retryLater(Entry e, DeadLetterReason reason, int status, String detail, int attempt, Exception ex) {
    if (halted) {
      return;
    }
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
      LOG.warn("Beacon relay cannot write to the dead-letter topic {} ({}); retrying. The records wait, uncommitted.",
          topic, ex.toString());
    }
    long delayMillis = Math.min(30_000L, 500L << Math.min(attempt, 6));
    try {
      retries.schedule(() -> write(e, reason, status, detail, attempt + 1), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException rejected) {
      // Halting: the record stays unsettled and uncommitted, so it is read again after a restart.
    }
  }

  static List<Header> headers(Entry e, DeadLetterReason reason, int status, String detail) {
    List<Header> h = new ArrayList<>(7);
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
