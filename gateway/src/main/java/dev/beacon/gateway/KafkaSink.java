package dev.beacon.gateway;

import dev.beacon.transport.kafka.KafkaEventSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kafka sink: every event becomes one record of a topic, in exactly the layout
 * {@code KafkaTransport} writes (value = the message's JSON, key = userId else anonymousId,
 * headers {@code beacon.type}, {@code beacon.version} and {@code beacon.source}), so that
 * {@code beacon relay} delivers it onward unchanged. An append completes only once Kafka
 * acknowledged every record ({@code acks=all}, idempotent producer); a broker that is unreachable,
 * slower than the ack timeout, or a sink whose bounded queue is full fails it with
 * {@link Sink.Unavailable} (503 with {@code Retry-After}), and a record Kafka refuses for good
 * (too large, not authorized, invalid topic) with {@link Sink.Refused}. A thin adapter over
 * {@link KafkaEventSink}, which documents the producer settings, bounds and readiness checks.
 */
public final class KafkaSink implements Sink {
  private final KafkaEventSink sink;
  /** Appends that failed once closing began: what a close could not settle. */
  private final AtomicInteger failedWhileClosing = new AtomicInteger();
  private volatile boolean closing;

  /**
   * Wraps a Kafka event sink; closing this sink closes it.
   *
   * @param sink the sink to write through
   */
  public KafkaSink(KafkaEventSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /**
   * Opens a sink writing to {@code topic} with Kafka's defaults for everything else.
   *
   * @param bootstrapServers Kafka's {@code bootstrap.servers}, e.g. {@code kafka-1:9092}
   * @param topic the topic {@code beacon relay} reads
   * @return the sink
   * @throws IllegalArgumentException for a bad setting
   */
  public static KafkaSink open(String bootstrapServers, String topic) {
    return new KafkaSink(KafkaEventSink.builder().bootstrapServers(bootstrapServers).topic(topic).build());
  }

  @Override
  public CompletableFuture<Void> append(List<Event> events) {
    List<KafkaEventSink.Event> records = new ArrayList<>(events.size());
    for (Event e : events) {
      records.add(new KafkaEventSink.Event(e.json(), e.type(), e.key(), e.source()));
    }
    CompletableFuture<Void> out = new CompletableFuture<>();
    sink.append(records).whenComplete((ok, failure) -> {
      if (failure != null && closing) {
        failedWhileClosing.incrementAndGet();
      }
      if (failure == null) {
        out.complete(null);
      } else {
        out.completeExceptionally(translate(failure));
      }
    });
    return out;
  }

  /** Kafka's outcome in the gateway's words: retry later (503) or never (the refusal's message). */
  static RuntimeException translate(Throwable failure) {
    Throwable f = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (f instanceof KafkaEventSink.Refused refused) {
      return new Refused(refused.getMessage());
    }
    return new Unavailable(f instanceof KafkaEventSink.Unavailable ? f.getMessage()
        : "Kafka did not acknowledge the events: " + f);
  }

  @Override
  public boolean ready() {
    return sink.ready();
  }

  @Override
  public String state() {
    return sink.state();
  }

  @Override
  public boolean close(Duration timeout) {
    closing = true;
    sink.close(timeout);
    // The event sink completes every call made before its close returns: those it could not get
    // acknowledged in time failed (their clients were answered 503 and send again).
    return failedWhileClosing.get() == 0;
  }

  @Override
  public String toString() {
    return "KafkaSink[" + sink + "]";
  }
}
