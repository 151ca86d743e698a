package dev.beacon.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.transport.kafka.KafkaEventSink.Event;
import dev.beacon.transport.kafka.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's outcomes with Kafka's own {@link MockProducer}, whose acknowledgements the test
 * hands out one by one: what completes a call, how Kafka's errors are classified, what keeps the
 * sink's readiness check alive.
 */
class KafkaEventSinkOutcomeTest {
  private static final Duration GUARD = Duration.ofSeconds(60);
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private KafkaEventSink sink;

  /** A check of the topic whose answers the test scripts. */
  private static final class ScriptedProbe implements KafkaEventSink.Probe {
    final AtomicInteger throwsLeft = new AtomicInteger();
    final AtomicInteger checks = new AtomicInteger();
    /** What a check answers; the tests that fail records make the checks fail too, as Kafka would. */
    volatile RuntimeException failure;

    @Override
    public CompletableFuture<Void> check(String topic, Duration timeout) {
      checks.incrementAndGet();
      if (throwsLeft.getAndDecrement() > 0) {
        throw new IllegalStateException("check " + checks + " threw");
      }
      RuntimeException f = failure;
      return f == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(f);
    }

    @Override
    public void close() {}
  }

  private KafkaEventSink sink(ScriptedProbe probe) {
    sink = KafkaEventSink.builder().bootstrapServers("127.0.0.1:9").topic("events")
        .build(props -> producer, props -> probe);
    return sink;
  }

  @AfterEach
  void close() {
    if (sink != null) {
      sink.close(Duration.ofSeconds(5));
    }
  }

  private void awaitHandedOver(int records) throws Exception {
    Await.until(GUARD, () -> producer.history().size() >= records, () -> producer.history().size() + " records sent");
  }

  private static Throwable failureOf(CompletableFuture<Void> f) throws Exception {
    try {
      f.get(GUARD.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the call succeeded");
  }

  @Test
  void aCallSucceedsOnlyWhenKafkaAcknowledgedItsLastRecord() throws Exception {
    sink(new ScriptedProbe());
    CompletableFuture<Void> call = sink.append(List.of(KafkaEventSinkTest.track("u1", 0),
        KafkaEventSinkTest.track("u2", 0), KafkaEventSinkTest.track("u1", 1)));
    awaitHandedOver(3);
    assertThat(producer.completeNext()).isTrue();
    assertThat(producer.completeNext()).isTrue();
    assertThat(call).isNotDone();
    assertThat(sink.state()).contains("queued 1 event(s)");
    assertThat(producer.completeNext()).isTrue();
    call.get(GUARD.toSeconds(), TimeUnit.SECONDS);
    assertThat(sink.state()).contains("queued 0 event(s), 0 bytes");
  }

  @Test
  void aRetriableErrorMakesTheCallUnavailableAndTheSinkNotReadyUntilKafkaAcknowledgesAgain() throws Exception {
    ScriptedProbe probe = new ScriptedProbe();
    sink(probe);
    Await.until(GUARD, sink::ready, sink::state);
    probe.failure = new NotEnoughReplicasException("2 of 3 replicas down");
    CompletableFuture<Void> call = sink.append(List.of(KafkaEventSinkTest.track("u1", 0)));
    awaitHandedOver(1);
    assertThat(producer.errorNext(new NotEnoughReplicasException("2 of 3 replicas down"))).isTrue();
    assertThat(failureOf(call)).isInstanceOf(KafkaEventSink.Unavailable.class).hasMessageContaining("events")
        .hasCauseInstanceOf(NotEnoughReplicasException.class);
    assertThat(sink.ready()).isFalse();
    assertThat(sink.state()).contains("NotEnoughReplicasException");

    CompletableFuture<Void> next = sink.append(List.of(KafkaEventSinkTest.track("u1", 1)));
    awaitHandedOver(2);
    probe.failure = null;   // the replicas are back
    assertThat(producer.completeNext()).isTrue();
    next.get(GUARD.toSeconds(), TimeUnit.SECONDS);
    assertThat(sink.ready()).isTrue();
  }

  @Test
  void anErrorKafkaDoesNotCallRetriableRefusesTheCall() throws Exception {
    ScriptedProbe probe = new ScriptedProbe();
    probe.failure = new TopicAuthorizationException("not authorized: events");
    sink(probe);
    CompletableFuture<Void> call = sink.append(List.of(KafkaEventSinkTest.track("u1", 0)));
    awaitHandedOver(1);
    assertThat(producer.errorNext(new TopicAuthorizationException("not authorized: events"))).isTrue();
    Throwable failure = failureOf(call);
    assertThat(failure).isInstanceOf(KafkaEventSink.Refused.class).hasMessageContaining("TopicAuthorizationException")
        .hasCauseInstanceOf(TopicAuthorizationException.class);
    assertThat(((KafkaEventSink.Refused) failure).tooLarge()).isFalse();
    assertThat(sink.ready()).isFalse();
  }

  @Test
  void aCheckOfTheTopicThatThrowsIsRetriedSoAnIdleSinkStillBecomesReady() throws Exception {
    ScriptedProbe probe = new ScriptedProbe();
    probe.throwsLeft.set(2);
    sink(probe);
    Await.until(GUARD, sink::ready, () -> sink.state() + " after " + probe.checks + " checks");
    assertThat(probe.checks.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void anEventWithoutKeyOrSourceIsWrittenWithoutThem() throws Exception {
    sink(new ScriptedProbe());
    byte[] json = KafkaEventSinkTest.json("track", "x", 0, "m-x").replace("\"userId\":\"x\",", "")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    CompletableFuture<Void> call = sink.append(List.of(new Event(json, "track", null, null)));
    awaitHandedOver(1);
    producer.completeNext();
    call.get(GUARD.toSeconds(), TimeUnit.SECONDS);
    var record = producer.history().get(0);
    assertThat(record.key()).isNull();
    assertThat(record.headers().lastHeader(KafkaEventSink.HEADER_SOURCE)).isNull();
    assertThat(record.headers().lastHeader(KafkaTransport.HEADER_TYPE).value()).isEqualTo("track".getBytes());
    assertThat(record.value()).isEqualTo(json);
  }
}
