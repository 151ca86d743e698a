package dev.beacon.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.internal.Library;
import dev.beacon.transport.kafka.KafkaEventSink.Event;
import dev.beacon.transport.kafka.testing.Await;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The gateway's Kafka sink on a real broker that, like production clusters, creates no topic on first use. */
class KafkaEventSinkTest {
  @RegisterExtension
  static final KafkaBroker BROKER = KafkaBroker.withoutTopicAutoCreation();
  private static final Duration GUARD = Duration.ofSeconds(90);
  private static final AtomicInteger TOPICS = new AtomicInteger();
  private static final AtomicInteger IDS = new AtomicInteger();

  private final List<KafkaEventSink> sinks = new ArrayList<>();

  @AfterEach
  void closeSinks() {
    sinks.forEach(s -> s.close(Duration.ofSeconds(5)));
  }

  private KafkaEventSink.Builder sink(String topic) {
    return KafkaEventSink.builder().bootstrapServers(BROKER.bootstrapServers()).topic(topic);
  }

  private KafkaEventSink started(KafkaEventSink.Builder b) {
    KafkaEventSink s = b.build();
    sinks.add(s);
    return s;
  }

  private static String newTopic() {
    return "sink-" + TOPICS.incrementAndGet();
  }

  static String json(String type, String userId, int seq, String messageId) {
    return "{\"type\":\"" + type + "\",\"event\":\"Order Completed\",\"userId\":\"" + userId
        + "\",\"properties\":{\"seq\":" + seq + "},\"messageId\":\"" + messageId
        + "\",\"timestamp\":\"2026-12-07T17:00:00.000Z\",\"context\":{\"library\":{\"name\":\"gateway-test\","
        + "\"version\":\"1\"}}}";
  }

  static Event track(String userId, int seq) {
    String id = "m-" + IDS.incrementAndGet();
    return new Event(json("track", userId, seq, id).getBytes(StandardCharsets.UTF_8), "track", userId, "web");
  }

  private static String messageId(byte[] json) {
    String s = new String(json, StandardCharsets.UTF_8);
    int at = s.indexOf("\"messageId\":\"") + 13;
    return s.substring(at, s.indexOf('"', at));
  }

  private static int seq(byte[] json) {
    String s = new String(json, StandardCharsets.UTF_8);
    int at = s.indexOf("\"seq\":") + 6;
    return Integer.parseInt(s.substring(at, s.indexOf('}', at)));
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
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
  void aCallSucceedsOnlyOnceEveryRecordIsInTheTopicInKafkaTransportsLayoutWithTheSourceHeader() throws Exception {
    String topic = newTopic();
    BROKER.createTopic(topic, 3);
    KafkaEventSink sink = started(sink(topic));
    Await.until(GUARD, sink::ready, sink::state);
    for (int call = 0; call < 5; call++) {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        events.add(track("user-" + (i % 7), call * 40 + i));
      }
      events.add(new Event(json("identify", "anon-x", 0, "id-" + call).replace("\"userId\"", "\"anonymousId\"")
          .getBytes(StandardCharsets.UTF_8), "identify", "anon-x", "ios"));
      sink.append(events).get(GUARD.toSeconds(), TimeUnit.SECONDS);
      // Completed: every record of the call is already readable by consumers (acknowledged by the
      // in-sync replicas), without waiting for anything else.
      Map<String, ConsumerRecord<byte[], byte[]>> byId = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : BROKER.readAll(topic)) {
        byId.put(messageId(r.value()), r);
      }
      for (Event e : events) {
        ConsumerRecord<byte[], byte[]> r = byId.get(messageId(e.json()));
        assertThat(r).as("record of %s", messageId(e.json())).isNotNull();
        assertThat(r.value()).isEqualTo(e.json());
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.key());
        assertThat(header(r, KafkaTransport.HEADER_TYPE)).isEqualTo(e.type());
        assertThat(header(r, KafkaTransport.HEADER_VERSION)).isEqualTo(Library.VERSION);
        assertThat(header(r, KafkaEventSink.HEADER_SOURCE)).isEqualTo(e.source());
      }
    }
    assertThat(sink.ready()).isTrue();
    assertThat(sink.state()).startsWith("ready").contains(topic).contains("queued 0 event(s), 0 bytes");
  }

  @Test
  void eachKeysEventsLandInTheTopicInTheOrderTheyWereAppended() throws Exception {
    String topic = newTopic();
    BROKER.createTopic(topic, 4);
    KafkaEventSink sink = started(sink(topic).producerProperty("linger.ms", 2));
    int users = 20;
    int calls = 60;
    int[] next = new int[users];
    List<CompletableFuture<Void>> results = new ArrayList<>();
    Random random = new Random(22);
    for (int c = 0; c < calls; c++) {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        int u = random.nextInt(users);
        events.add(track("user-" + u, next[u]++));
      }
      results.add(sink.append(events));   // not waited for: many calls in flight at once
    }
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(GUARD.toSeconds(), TimeUnit.SECONDS);
    Map<String, List<Integer>> seqs = new HashMap<>();
    Map<String, Set<Integer>> partitions = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : BROKER.readAll(topic)) {
      String user = new String(r.key(), StandardCharsets.UTF_8);
      seqs.computeIfAbsent(user, k -> new ArrayList<>()).add(seq(r.value()));
      partitions.computeIfAbsent(user, k -> new HashSet<>()).add(r.partition());
    }
    int total = 0;
    for (int u = 0; u < users; u++) {
      List<Integer> got = seqs.getOrDefault("user-" + u, List.of());
      List<Integer> expected = new ArrayList<>();
      for (int s = 0; s < next[u]; s++) {
        expected.add(s);
      }
      // readAll returns each partition in offset order; a user lives in one partition.
      assertThat(got).as("user-%d's events in the topic", u).isEqualTo(expected);
      assertThat(partitions.getOrDefault("user-" + u, Set.of())).hasSizeLessThanOrEqualTo(1);
      total += got.size();
    }
    assertThat(total).isEqualTo(calls * 25);
  }

  @Test
  void aMissingTopicMakesCallsUnavailableAndTheSinkNotReady() throws Exception {
    String topic = newTopic();   // never created, and the broker does not create topics
    KafkaEventSink sink = started(sink(topic).ackTimeout(Duration.ofSeconds(2)));
    Throwable failure = failureOf(sink.append(List.of(track("user-1", 0))));
    assertThat(failure).isInstanceOf(KafkaEventSink.Unavailable.class).hasMessageContaining(topic);
    assertThat(sink.ready()).isFalse();
    Await.until(GUARD, () -> sink.state().contains("UnknownTopicOrPartition")
        || sink.state().contains("not present in metadata"), sink::state);
    assertThat(sink.state()).startsWith("unavailable").contains(topic);
  }

  @Test
  void aRecordTooLargeForTheTopicIsRefusedAndTheSinkStaysReady() throws Exception {
    String topic = newTopic();
    BROKER.createTopic(topic, 1, Map.of("max.message.bytes", "4096"));
    KafkaEventSink sink = started(sink(topic));
    Await.until(GUARD, sink::ready, sink::state);
    byte[] noise = new byte[12_000];
    new Random(7).nextBytes(noise);   // incompressible: lz4 cannot bring it under the topic's limit
    String big = json("track", "user-big", 0, "big-1").replace("\"seq\":0", "\"seq\":0,\"blob\":\""
        + Base64.getEncoder().encodeToString(noise) + "\"");
    Event tooLarge = new Event(big.getBytes(StandardCharsets.UTF_8), "track", "user-big", "web");
    Throwable failure = failureOf(sink.append(List.of(track("user-a", 0), tooLarge)));
    assertThat(failure).isInstanceOf(KafkaEventSink.Refused.class).hasMessageContaining(topic)
        .hasCauseInstanceOf(RecordTooLargeException.class);
    assertThat(((KafkaEventSink.Refused) failure).tooLarge()).isTrue();
    assertThat(sink.ready()).isTrue();
    sink.append(List.of(track("user-a", 1))).get(GUARD.toSeconds(), TimeUnit.SECONDS);
    assertThat(sink.state()).contains("queued 0 event(s), 0 bytes");
  }

  @Test
  void aCallThatDoesNotFitTheEventBoundIsUnavailableAtOnceAndRoomReturnsWithTheAcknowledgements() throws Exception {
    String topic = newTopic();   // created later: until then the sender waits for its metadata
    KafkaEventSink sink = started(sink(topic).maxQueuedEvents(5).ackTimeout(Duration.ofSeconds(120)));
    List<CompletableFuture<Void>> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(sink.append(List.of(track("user-1", i))));
    }
    // append returned for each call although none could be handed to Kafka yet: it never waits.
    assertThat(held).noneMatch(CompletableFuture::isDone);
    CompletableFuture<Void> refused = sink.append(List.of(track("user-1", 5)));
    assertThat(refused).isCompletedExceptionally();   // at once, not after a wait
    assertThat(failureOf(refused)).isInstanceOf(KafkaEventSink.Unavailable.class)
        .hasMessageContaining("full").hasMessageContaining("5 event(s)");
    assertThat(failureOf(sink.append(List.of(track("u", 0), track("u", 1), track("u", 2), track("u", 3),
        track("u", 4), track("u", 5))))).isInstanceOf(KafkaEventSink.Refused.class).hasMessageContaining("6 event(s)");

    BROKER.createTopic(topic, 1);
    // Room returns as Kafka completes the held records. (Their outcome is not the point: a
    // producer that learns of a topic while the broker is still taking it on can have its first
    // batch refused as out of order, Kafka's test-kit race that KafkaBroker.createTopic describes.)
    Await.until(GUARD, () -> held.stream().allMatch(CompletableFuture::isDone), () -> held.toString());
    Await.until(GUARD, () -> sink.state().contains("queued 0 event(s), 0 bytes"), sink::state);
    Event last = track("user-1", 5);
    sink.append(List.of(last)).get(GUARD.toSeconds(), TimeUnit.SECONDS);
    assertThat(BROKER.readAll(topic)).anySatisfy(r -> assertThat(r.value()).isEqualTo(last.json()));
  }

  @Test
  void aCallThatDoesNotFitTheByteBoundIsUnavailableAndOneLargerThanTheBoundIsRefused() throws Exception {
    String topic = newTopic();
    Event e = track("user-1", 0);
    long eventBytes = e.json().length + e.key().length() + e.source().length();
    KafkaEventSink sink = started(sink(topic).maxQueuedBytes(2 * eventBytes + eventBytes / 2)
        .ackTimeout(Duration.ofSeconds(120)));
    CompletableFuture<Void> first = sink.append(List.of(e, track("user-1", 1)));
    CompletableFuture<Void> full = sink.append(List.of(track("user-1", 2)));
    assertThat(full).isCompletedExceptionally();
    assertThat(failureOf(full)).isInstanceOf(KafkaEventSink.Unavailable.class).hasMessageContaining("full");
    Throwable tooBig = failureOf(sink.append(List.of(track("u", 0), track("u", 1), track("u", 2))));
    assertThat(tooBig).isInstanceOf(KafkaEventSink.Refused.class).hasMessageContaining("larger than");
    assertThat(((KafkaEventSink.Refused) tooBig).tooLarge()).isTrue();
    BROKER.createTopic(topic, 1);
    Await.until(GUARD, first::isDone, first::toString);
    Await.until(GUARD, () -> sink.state().contains("queued 0 event(s), 0 bytes"), sink::state);
    sink.append(List.of(track("user-1", 3))).get(GUARD.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void closeHandsOverAndFlushesEveryAcceptedCallWithinItsTimeout() throws Exception {
    String topic = newTopic();
    BROKER.createTopic(topic, 2);
    KafkaEventSink sink = sink(topic).producerProperty("linger.ms", 50).build();
    List<CompletableFuture<Void>> results = new ArrayList<>();
    for (int c = 0; c < 40; c++) {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        events.add(track("user-" + i, c));
      }
      results.add(sink.append(events));
    }
    sink.close(GUARD);
    for (CompletableFuture<Void> r : results) {
      assertThat(r).isCompleted();
      r.get();   // succeeded: flushed, not dropped
    }
    assertThat(BROKER.readAll(topic)).hasSize(800);
    assertThat(sink.ready()).isFalse();
    assertThat(sink.state()).startsWith("closed");
    assertThat(failureOf(sink.append(List.of(track("user-1", 0))))).isInstanceOf(KafkaEventSink.Unavailable.class)
        .hasMessageContaining("closed");
  }

  @Test
  void closeReturnsWithinItsTimeoutAndFailsCallsKafkaNeverAcknowledged() throws Exception {
    String topic = newTopic();   // never created: the sender waits for metadata up to the ack timeout
    KafkaEventSink sink = sink(topic).ackTimeout(Duration.ofMinutes(5)).build();
    List<CompletableFuture<Void>> results = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      results.add(sink.append(List.of(track("user-1", i))));
    }
    sink.close(Duration.ofMillis(500));
    // Every call made before close returned is completed when it returns.
    for (CompletableFuture<Void> r : results) {
      assertThat(r).isCompletedExceptionally();
      assertThat(failureOf(r)).isInstanceOf(KafkaEventSink.Unavailable.class);
    }
  }

  @Test
  void settingsAreValidatedByNameAndTheProducersSecretsNeverShow() {
    assertThatThrownBy(() -> KafkaEventSink.builder().topic("t").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrapServers");
    assertThatThrownBy(() -> sink("bad topic").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic").hasMessageContaining("bad topic");
    assertThatThrownBy(() -> sink("t").ackTimeout(Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ackTimeout").hasMessageContaining("PT0.01S");
    assertThatThrownBy(() -> sink("t").producerProperty("acks", "1").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acks");
    assertThatThrownBy(() -> sink("t").producerProperty("enable.idempotence", "false").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.idempotence");
    assertThatThrownBy(() -> sink("t").ackTimeout(Duration.ofSeconds(5)).producerProperty("delivery.timeout.ms", 60_000)
        .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delivery.timeout.ms");
    assertThatThrownBy(() -> sink("t").maxQueuedEvents(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxQueuedEvents");
    assertThatThrownBy(() -> sink("t").threadFactory(r -> null).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threadFactory");
    assertThatThrownBy(() -> new Event("{}".getBytes(StandardCharsets.UTF_8), "t", null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type");

    String secret = "s3cr3t-password";
    KafkaEventSink sink = started(sink("t").producerProperty("sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"" + secret + "\";"));
    assertThat(sink.toString()).doesNotContain(secret);
    assertThat(sink.state()).doesNotContain(secret);
  }
}
