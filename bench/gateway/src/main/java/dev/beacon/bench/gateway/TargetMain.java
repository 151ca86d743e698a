package dev.beacon.bench.gateway;

import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.gateway.Gateway;
import dev.beacon.gateway.JournalSink;
import dev.beacon.gateway.KafkaSink;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.CollectorStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One process of the gateway bench, started by {@link GatewayBench} in a JVM of its own:
 *
 * <ul>
 *   <li>{@code noop}: the {@link NoopServer} (the ceiling);</li>
 *   <li>{@code collector}: the testkit's {@link CollectorServer}, validating (it parses and checks
 *       every message as the gateway does, and keeps none: {@code maxRecordedMessages(1)});</li>
 *   <li>{@code counter}: the same server, as the receiver the journal forwards to; it counts the
 *       messages that arrive;</li>
 *   <li>{@code journal}: the gateway with the local journal ({@code process-crash}, in
 *       {@code --dir}) forwarding to {@code --forward};</li>
 *   <li>{@code kafka}: the gateway with the Kafka sink writing to {@code --bootstrap}'s
 *       {@code --topic} (its keys file in {@code --dir});</li>
 *   <li>{@code broker}: a single-node KRaft broker (Kafka's test kit: the real broker) with the
 *       topic {@code --topic} of 4 partitions.</li>
 * </ul>
 *
 * <p>It prints {@code READY <address>} once it serves, then reads its standard input: {@code stats}
 * prints {@code STATS key=value ...}; {@code stop} (or the end of the input, so that it never
 * outlives the bench) stops it, prints {@code RESULT key=value ...} and exits.
 *
 * <pre>
 * java [Chronicle's flags] -cp gateway-bench.jar dev.beacon.bench.gateway.TargetMain KIND [--option value ...]
 * </pre>
 */
public final class TargetMain {
  /** The write key of the bench's one source (a bench key, not a secret). */
  static final String WRITE_KEY = "bench-write-key";
  /** The key the journal forwards with, which the counting receiver expects. */
  static final String FORWARD_KEY = "bench-forward-key";
  static final int PARTITIONS = 4;

  private TargetMain() {}

  /**
   * Starts one target; see the class description.
   *
   * @param args the kind, then {@code --name value} options
   * @throws Exception when the target cannot start
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: TargetMain noop|collector|counter|journal|kafka|broker [--option value ...]");
    }
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i], args[i + 1]);
    }
    switch (args[0]) {
      case "noop" -> noop();
      case "collector" -> collector(WRITE_KEY);
      case "counter" -> collector(FORWARD_KEY);
      case "journal" -> journal(Path.of(required(o, "--dir")), URI.create(required(o, "--forward")));
      case "kafka" -> kafka(Path.of(required(o, "--dir")), required(o, "--bootstrap"), required(o, "--topic"));
      case "broker" -> broker(required(o, "--topic"));
      default -> throw new IllegalArgumentException("unknown target " + args[0]);
    }
    // Netty's, Chronicle's and Kafka's threads must not keep a stopped target alive.
    System.exit(0);
  }

  private static String required(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing option " + name);
    }
    return v;
  }

  private static void noop() throws Exception {
    NoopServer server = NoopServer.start(Runtime.getRuntime().availableProcessors());
    serve("http://127.0.0.1:" + server.port(), () -> "requests=" + server.requests(), () -> {
      server.close();
      return "requests=" + server.requests();
    });
  }

  private static void collector(String writeKey) throws Exception {
    // The JDK server delays each answer by ~40 ms (Nagle) without it: see CollectorServer's Javadoc.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    CollectorServer server = CollectorServer.builder().writeKey(writeKey).maxRecordedMessages(1).build().start();
    Supplier<String> stats = () -> collectorStats(server.stats());
    serve(server.uri().toString(), stats, () -> {
      String last = stats.get();
      server.close();
      return last;
    });
  }

  private static String collectorStats(CollectorStats s) {
    return "requests=" + s.acceptedRequests() + " messages=" + s.messages() + " rejected=" + s.rejected()
        + " duplicates=" + s.duplicates();
  }

  private static Path keysFile(Path dir) throws Exception {
    return Files.writeString(dir.resolve("keys.json"),
        "{\"sources\":[{\"writeKey\":\"" + WRITE_KEY + "\",\"name\":\"bench\"}]}");
  }

  private static void journal(Path dir, URI forward) throws Exception {
    JournalSink sink = JournalSink.open(dir.resolve("journal"), forward, FORWARD_KEY, SpoolDurability.PROCESS_CRASH);
    Gateway gateway = Gateway.builder(keysFile(dir), sink).listen("127.0.0.1", 0).build().start();
    serve(gateway.uri().toString(), () -> gatewayStats(gateway) + " " + forwarded(sink.stats()), () -> {
      // Closing drains the journal to the receiver: every accepted event is forwarded before RESULT.
      boolean clean = gateway.close(Duration.ofMinutes(5));
      return gatewayStats(gateway) + " " + forwarded(sink.stats()) + " clean=" + clean;
    });
  }

  private static String forwarded(Stats s) {
    return "delivered=" + s.delivered() + " failed=" + s.failed() + " dropped=" + s.dropped()
        + " pending=" + s.pending() + " spooled=" + s.spooled();
  }

  private static String gatewayStats(Gateway g) {
    return "accepted=" + g.acceptedEvents() + " refused=" + g.refusedRequests();
  }

  private static void kafka(Path dir, String bootstrap, String topic) throws Exception {
    KafkaSink sink = KafkaSink.open(bootstrap, topic);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!sink.ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the Kafka sink did not get ready: " + sink.state());
      }
      Thread.sleep(50);
    }
    Gateway gateway = Gateway.builder(keysFile(dir), sink)
        .listen("127.0.0.1", 0).build().start();
    serve(gateway.uri().toString(), () -> gatewayStats(gateway), () -> {
      boolean clean = gateway.close(Duration.ofMinutes(1));
      // What the broker holds: at least every accepted event (each was acknowledged before its 200).
      return gatewayStats(gateway) + " records=" + records(bootstrap, topic) + " clean=" + clean;
    });
  }

  private static long records(String bootstrap, String topic) {
    try (Admin admin = admin(bootstrap)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(r -> r.offset()).sum();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the topic's end offsets: " + e, e);
    }
  }

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return Admin.create(p);
  }

  private static void broker(String topic) throws Exception {
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("auto.create.topics.enable", "false")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    String bootstrap = cluster.bootstrapServers();
    try (Admin admin = admin(bootstrap)) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
      awaitLeaders(admin, topic);
    }
    serve(bootstrap, () -> "records=" + records(bootstrap, topic), () -> {
      try {
        cluster.close();
      } catch (Exception e) {
        return "closed=false error=" + e.getClass().getSimpleName();
      }
      return "closed=true";
    });
  }

  /**
   * Waits until every partition's leader answers: producing at once to a topic just created can
   * race the broker's metadata (see KafkaSinkThroughput), which would measure the start, not the sink.
   */
  private static void awaitLeaders(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  /** The control loop: see the class description. */
  private static void serve(String address, Supplier<String> stats, Supplier<String> stop) throws Exception {
    System.out.println("READY " + address);
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !"stop".equals(line)) {
      if ("stats".equals(line)) {
        System.out.println("STATS " + stats.get());
        System.out.flush();
      }
    }
    System.out.println("RESULT " + stop.get());
    System.out.flush();
  }
}
