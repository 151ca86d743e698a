package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.segment.analytics.Callback;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.TrackMessage;
import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.Identify;
import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.WireFormat;
import dev.beacon.transport.kafka.KafkaEventSink;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server-side Java clients against the gateway, as applications run them: several threads,
 * each calling for users of its own, their calls interleaved. Beacon's own {@link Analytics} (the
 * HTTP transport, pointed at the gateway with its write key) through the journal sink to a
 * {@link CollectorServer} and through the Kafka sink to a real KRaft broker, and Segment's
 * analytics-java 3.5.4 through the Kafka sink (its journal path is {@code JournalSinkTest}'s): every
 * message arrives exactly once (by messageId), each user's messages in the order that user's thread
 * made them, and the client counts everything delivered and nothing failed or dropped.
 */
class JavaClientsGatewayTest {
  @RegisterExtension
  static final KafkaBroker BROKER = KafkaBroker.withoutTopicAutoCreation();
  private static final String FORWARD_KEY = "forward-key";
  private static final int THREADS = 4;
  private static final int USERS_PER_THREAD = 3;
  private static final int CALLS_PER_USER = 30;
  private static final int TOTAL = THREADS * USERS_PER_THREAD * CALLS_PER_USER;
  /** A guard for a busy 2-core machine, never a timing assertion. */
  private static final Duration GUARD = Duration.ofSeconds(120);

  @TempDir
  Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Gateway start(Sink sink) throws Exception {
    Gateway g = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0).build().start();
    toClose.add(() -> g.close(Duration.ofSeconds(30)));
    return g;
  }

  private KafkaSink kafkaSink(String topic) throws Exception {
    BROKER.createTopic(topic, 3);
    return new KafkaSink(KafkaEventSink.builder().bootstrapServers(BROKER.bootstrapServers()).topic(topic).build());
  }

  /** Beacon's client with the HTTP transport pointed at the gateway; small batches, so there are many. */
  private Analytics beacon(URI gateway) {
    Analytics a = Analytics.builder(KEY).endpoint(gateway).transportName("http").flushAt(25)
        .shutdownHook(false).build();
    toClose.add(() -> a.close(Duration.ofSeconds(30)));
    return a;
  }

  private static String user(int thread, int u) {
    return "user-" + thread + "-" + u;
  }

  /** The messageId of a user's {@code seq}-th call: the expected order is the order of seq. */
  private static String id(String user, int seq) {
    return user + "/" + seq;
  }

  /**
   * Runs {@link #THREADS} threads released together; each makes {@link #CALLS_PER_USER} calls for
   * each of its users, round-robin across them, through {@code call(user, seq)}.
   */
  private static void callFromSeveralThreads(CallSite call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          for (int seq = 0; seq < CALLS_PER_USER; seq++) {
            for (int u = 0; u < USERS_PER_THREAD; u++) {
              call.call(user(thread, u), seq);
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(GUARD.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @FunctionalInterface
  private interface CallSite {
    void call(String user, int seq) throws Exception;
  }

  /** Beacon's calls: an identify first, then tracks; every call must be accepted. */
  private static CallSite beaconCalls(Analytics analytics) {
    return (user, seq) -> {
      boolean accepted = seq == 0
          ? analytics.enqueue(Identify.builder().userId(user).messageId(id(user, seq))
              .traits(Map.of("plan", "pro", "seq", seq)).build())
          : analytics.enqueue(Track.builder("Step").userId(user).messageId(id(user, seq))
              .properties(Map.of("seq", seq)).build());
      assertThat(accepted).as("call %s accepted", id(user, seq)).isTrue();
    };
  }

  private static void assertEverythingDelivered(Analytics analytics) {
    FlushResult flushed = analytics.flush(GUARD);
    assertThat(flushed.isSuccess()).as("flush: %s", flushed).isTrue();
    Stats s = analytics.stats();
    assertThat(s.accepted()).as("%s", s).isEqualTo(TOTAL);
    assertThat(s.delivered()).as("%s", s).isEqualTo(TOTAL);
    assertThat(s.failed()).as("%s", s).isZero();
    assertThat(s.dropped()).as("%s", s).isZero();
    assertThat(s.pending()).as("%s", s).isZero();
  }

  /** Exactly the expected ids, none twice, each user's in seq order (in the order {@code arrived} lists them). */
  private static <T> void assertOnceAndInEachUsersOrder(List<T> arrived, Function<T, String> messageId,
      Function<T, String> userId) {
    List<String> ids = arrived.stream().map(messageId).toList();
    List<String> expected = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      for (int u = 0; u < USERS_PER_THREAD; u++) {
        for (int seq = 0; seq < CALLS_PER_USER; seq++) {
          expected.add(id(user(t, u), seq));
        }
      }
    }
    assertThat(ids).as("every message exactly once").doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expected);
    Map<String, List<String>> byUser = new LinkedHashMap<>();
    for (T m : arrived) {
      byUser.computeIfAbsent(userId.apply(m), k -> new ArrayList<>()).add(messageId.apply(m));
    }
    assertThat(byUser).hasSize(THREADS * USERS_PER_THREAD);
    byUser.forEach((user, got) -> {
      List<String> inOrder = new ArrayList<>();
      for (int seq = 0; seq < CALLS_PER_USER; seq++) {
        inOrder.add(id(user, seq));
      }
      assertThat(got).as("the order %s's messages arrived in", user).containsExactlyElementsOf(inOrder);
    });
  }

  /** Reads the topic to its end after everything was acknowledged: a partition's records in offset order. */
  private static List<Map<String, Object>> topicMessages(String topic, int count) {
    List<ConsumerRecord<byte[], byte[]>> first = BROKER.read(topic, count, GUARD);
    assertThat(first).as("records in %s", topic).hasSizeGreaterThanOrEqualTo(count);
    // Everything the gateway answered 200 for is in the topic; reading to the end offsets also shows extras.
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(BROKER.readAll(topic));
    records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
        .thenComparingLong(ConsumerRecord::offset));
    List<Map<String, Object>> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Map<String, Object> m = WireFormat.parseObject(r.value());
      // The record key is the userId: one user's events share a partition, so offset order is their order.
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(m.get("userId"));
      out.add(m);
    }
    return out;
  }

  @Test
  void beaconsOwnClientThroughTheJournalToTheForwardTarget() throws Exception {
    CollectorServer target = CollectorServer.builder().writeKey(FORWARD_KEY).build().start();
    toClose.add(target);
    Gateway gateway = start(JournalSink.open(dir.resolve("journal"), target.uri(), FORWARD_KEY,
        SpoolDurability.PROCESS_CRASH));
    Analytics analytics = beacon(gateway.uri());

    callFromSeveralThreads(beaconCalls(analytics));
    assertEverythingDelivered(analytics);
    assertThat(gateway.acceptedEvents()).isEqualTo(TOTAL);

    List<CapturedMessage> got = target.awaitMessages(TOTAL, GUARD);
    assertThat(gateway.close(Duration.ofSeconds(30))).isTrue();
    assertThat(target.duplicateMessageIds()).isEmpty();
    assertOnceAndInEachUsersOrder(target.messages(), CapturedMessage::messageId, CapturedMessage::userId);
    assertThat(got).filteredOn(m -> "identify".equals(m.type())).hasSize(THREADS * USERS_PER_THREAD);
  }

  @Test
  void beaconsOwnClientThroughKafka() throws Exception {
    String topic = "beacon-client-events";
    Gateway gateway = start(kafkaSink(topic));
    Analytics analytics = beacon(gateway.uri());

    callFromSeveralThreads(beaconCalls(analytics));
    assertEverythingDelivered(analytics);
    assertThat(gateway.acceptedEvents()).isEqualTo(TOTAL);

    List<Map<String, Object>> records = topicMessages(topic, TOTAL);
    assertOnceAndInEachUsersOrder(records, m -> (String) m.get("messageId"), m -> (String) m.get("userId"));
    assertThat(records).allSatisfy(m -> assertThat(m).containsKeys("receivedAt").doesNotContainKey("writeKey"));
  }

  @Test
  void segmentsAnalyticsJavaThroughKafka() throws Exception {
    String topic = "analytics-java-events";
    Gateway gateway = start(kafkaSink(topic));
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicInteger succeeded = new AtomicInteger();
    com.segment.analytics.Analytics client = com.segment.analytics.Analytics.builder(KEY)
        .endpoint(gateway.uri().toString())
        .flushQueueSize(25)
        .callback(new Callback() {
          @Override
          public void success(Message message) {
            succeeded.incrementAndGet();
          }

          @Override
          public void failure(Message message, Throwable throwable) {
            failures.add(message.messageId() + ": " + throwable);
          }
        })
        .build();
    toClose.add(client::shutdown);

    callFromSeveralThreads((user, seq) -> client.enqueue(TrackMessage.builder("Step").userId(user)
        .messageId(id(user, seq)).properties(Map.of("seq", seq))));
    client.flush();
    GatewayFixture.await("analytics-java reports every message sent (" + succeeded.get() + " of " + TOTAL
        + ", failures " + failures + ")", () -> succeeded.get() + failures.size() >= TOTAL);
    assertThat(failures).isEmpty();
    assertThat(succeeded.get()).isEqualTo(TOTAL);
    assertThat(gateway.acceptedEvents()).isEqualTo(TOTAL);

    List<Map<String, Object>> records = topicMessages(topic, TOTAL);
    assertOnceAndInEachUsersOrder(records, m -> (String) m.get("messageId"), m -> (String) m.get("userId"));
    assertThat(records).allSatisfy(m -> assertThat(m.get("context")).asString().contains("analytics-java"));
  }
}
