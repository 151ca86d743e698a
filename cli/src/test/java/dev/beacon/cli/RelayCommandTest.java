package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.Track;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.transport.kafka.KafkaTransport;
import dev.beacon.transport.kafka.testing.ArrivalOrder;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RelayCommandTest {
  @RegisterExtension
  static final KafkaBroker BROKER = new KafkaBroker();
  private static final String KEY = "relay-cli-write-key";
  private static final Duration GUARD = Duration.ofSeconds(120);

  @TempDir
  Path dir;
  private CollectorServer collector;

  @BeforeEach
  void startCollector() {
    collector = CollectorServer.builder().writeKey(KEY).build().start();
  }

  @AfterEach
  void stopCollector() {
    collector.close();
  }

  private Analytics app(String topic) {
    return Analytics.builder(KEY)
        .transport(KafkaTransport.builder().bootstrapServers(BROKER.bootstrapServers()).topic(topic).build())
        .shutdownHook(false).build();
  }

  private String[] relayArgs(String topic, String group, String... more) throws Exception {
    List<String> a = new ArrayList<>(List.of("relay", "--bootstrap-servers", BROKER.bootstrapServers(),
        "--topic", topic, "--group", group, "--endpoint", collector.uri().toString(),
        "--write-key-file", Cli.keyFile(dir, KEY).toString(), "--linger", "PT0.05S"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void drainsATopicThenExitsWhenIdleWithASummary() throws Exception {
    BROKER.createTopic("cli-events", 2);
    BROKER.createTopic("cli-events.dlq", 1);
    try (Analytics app = app("cli-events")) {
      for (int i = 0; i < 500; i++) {
        app.track("user-" + (i % 10), "CLI Event", Map.of("i", i));
      }
      assertThat(app.flush(Duration.ofSeconds(30)).complete()).isTrue();
    }
    Cli.Run run = Cli.beacon(relayArgs("cli-events", "cli-group", "--exit-when-idle", "PT0.5S",
        "--progress-interval", "PT0.2S"));
    assertThat(run.exit()).as(run.all()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("consumed 500, delivered 500").contains("dead-lettered 0");
    assertThat(run.err()).contains("relay: reading cli-events as group cli-group");
    assertThat(run.all()).doesNotContain(KEY);
    assertThat(collector.stats().distinctMessageIds()).isEqualTo(500);
  }

  @Test
  void refusesToStartWithoutAWriteKey() {
    Cli.Run run = Cli.beacon("relay", "--bootstrap-servers", BROKER.bootstrapServers(), "--topic", "t",
        "--group", "g", "--write-key-file", dir.resolve("missing").toString());
    assertThat(run.exit()).isEqualTo(ExitCodes.FATAL);
    assertThat(run.err()).contains("cannot read the write key file");
    Cli.Run bad = Cli.beacon("relay", "--bootstrap-servers", "h:1", "--topic", "bad topic", "--group", "g");
    assertThat(bad.exit()).isIn(ExitCodes.USAGE);
  }

  /**
   * Two relays in child JVMs share a topic; one is killed with SIGKILL mid-run. The survivor takes
   * its partitions over from their committed offsets: nothing is lost, and what is sent twice is
   * bounded by what the killed relay held and had settled since its last commit.
   */
  @Test
  void sigkillOfOneRelayLosesNothingAndDuplicatesStayBounded() throws Exception {
    BROKER.createTopic("crash", 4);
    BROKER.createTopic("crash.dlq", 1);
    String[] common = {"--consumer-property", "session.timeout.ms=10000",
        "--consumer-property", "heartbeat.interval.ms=1000", "--consumer-property", "max.poll.records=200",
        "--commit-interval", "PT0.1S", "--max-buffered-mb", "1", "--drain-timeout", "PT20S"};
    Cli.Child a = Cli.start(dir, relayArgs("crash", "crash-group", common));
    Cli.Child b = Cli.start(dir, relayArgs("crash", "crash-group", common));
    int users = 50;
    int perUser = 400;
    int total = users * perUser;
    AtomicReference<Throwable> producerError = new AtomicReference<>();
    Thread producer = new Thread(() -> {
      try (Analytics app = app("crash")) {
        for (int i = 0; i < perUser; i++) {
          for (int u = 0; u < users; u++) {
            app.enqueue(Track.builder("Crash Step").userId("user-" + u).properties(Map.of("seq", i)).build());
          }
          if (i % 20 == 19) {
            // Spread the load over the run so that the kill lands while records flow.
            app.flush(Duration.ofSeconds(30));
          }
        }
        app.flush(Duration.ofSeconds(30));
      } catch (Throwable t) {
        producerError.set(t);
      }
    }, "test-producer");
    producer.start();
    await(() -> collector.stats().distinctMessageIds() >= total / 4, "a quarter delivered");
    a.kill();
    producer.join(GUARD.toMillis());
    assertThat(producerError.get()).isNull();
    await(() -> collector.stats().distinctMessageIds() >= total, "everything delivered after the kill");
    Cli.Run survivor = stop(b);
    // A JVM ended by SIGTERM exits 143 whatever its hooks do; the summary says how it went.
    assertThat(survivor.exit()).as(survivor.all()).isEqualTo(143);
    assertThat(survivor.out()).contains("held 0").contains("dead-lettered 0");

    List<CapturedMessage> arrivals = collector.messages();
    Set<String> seen = new HashSet<>();
    arrivals.forEach(m -> seen.add(m.messageId()));
    assertThat(seen).hasSize(total);
    ArrivalOrder.assertFirstArrivalsInOrder(arrivals, users, perUser, BROKER.bootstrapServers(), "crash");
    // The killed relay held at most ~1 MB (about 3,000 of these messages) plus one poll, and had
    // settled at most 0.1 s of traffic since its last commit: far below a replay of its partitions.
    long duplicates = collector.stats().duplicates();
    System.out.printf("SIGKILL of one relay: %d messages, %d duplicates%n", total, duplicates);
    assertThat(duplicates).as("messages sent twice").isLessThanOrEqualTo(total / 4);
  }

  /**
   * A dead-letter topic that does not exist (and that nothing will create: the consumer may not
   * ask the brokers to) makes the relay unable to settle an invalid record: it stops at once, and
   * the command exits with the relay's own code instead of running on.
   */
  @Test
  void aMissingDeadLetterTopicEndsTheCommandWithTheRelayFailedCode() throws Exception {
    BROKER.createTopic("no-dlq", 1);
    Cli.Run run = Cli.beacon(relayArgs("no-dlq", "no-dlq-group", "--dead-letter-topic", "never-created",
        "--consumer-property", "allow.auto.create.topics=false"));
    assertThat(run.exit()).as(run.all()).isEqualTo(ExitCodes.RELAY_FAILED);
    assertThat(run.err()).contains("the relay stopped on a fatal error").contains("never-created");
  }

  /**
   * The group keeps a partition for a member that stopped polling (a relay killed, or restarted
   * in place) until Kafka gives up on it. The restarted relay says what it waits for, and the
   * summary's rate counts the time it delivered, not the wait.
   */
  @Test
  void aRelayWaitingForItsPartitionsSaysSoAndTheWaitIsLeftOutOfTheRate() throws Exception {
    BROKER.createTopic("held", 1);
    BROKER.createTopic("held.dlq", 1);
    try (Analytics app = app("held")) {
      for (int i = 0; i < 200; i++) {
        app.track("user-" + (i % 10), "Held Event", Map.of("i", i));
      }
      assertThat(app.flush(Duration.ofSeconds(30)).complete()).isTrue();
    }
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", BROKER.bootstrapServers());
    p.put("group.id", "held-group");
    p.put("max.poll.interval.ms", "8000");
    p.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
    try (var stale = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
      stale.subscribe(List.of("held"));
      long deadline = System.nanoTime() + GUARD.toNanos();
      while (stale.assignment().isEmpty() && System.nanoTime() < deadline) {
        stale.poll(Duration.ofMillis(100));
      }
      assertThat(stale.assignment()).isNotEmpty();
      // It polls no more: the group waits for it to rejoin until its max.poll.interval.ms (8 s) passes.
      Cli.Run run = Cli.beacon(relayArgs("held", "held-group", "--exit-when-idle", "PT0.5S",
          "--progress-interval", "PT0.5S"));
      assertThat(run.exit()).as(run.all()).isEqualTo(ExitCodes.OK);
      assertThat(run.err()).contains("waiting for the group to assign partitions (a relay stopped without leaving"
          + " the group");
      assertThat(run.out()).contains("consumed 200, delivered 200");
      java.util.regex.Matcher m = java.util.regex.Pattern
          .compile("time ([0-9.]+) s \\(([0-9.]+) s delivering\\), ([0-9]+) events/s delivered").matcher(run.out());
      assertThat(m.find()).as(run.out()).isTrue();
      double total = Double.parseDouble(m.group(1));
      double delivering = Double.parseDouble(m.group(2));
      // The wait lasted at least until Kafka gave up on the stale member (8 s): none of it is in the rate.
      assertThat(delivering).as(run.out()).isLessThan(total - 5);
      assertThat(Double.parseDouble(m.group(3))).as("the rate over the delivering time").isGreaterThan(200 / total);
    }
  }

  private static Cli.Run stop(Cli.Child c) throws Exception {
    c.process().destroy(); // SIGTERM: the shutdown hook drains, commits and prints the summary
    return c.await(GUARD);
  }

  private void await(Callable<Boolean> condition, String what) throws Exception {
    long deadline = System.nanoTime() + GUARD.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + GUARD + "; collector " + collector.stats());
      }
      Thread.sleep(50);
    }
  }
}
