package dev.beacon.bench;

import dev.beacon.Analytics;
import dev.beacon.QueueFullPolicy;
import dev.beacon.relay.kafka.KafkaRelay;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.transport.http.HttpTransport;
import dev.beacon.transport.kafka.KafkaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Fleet mode end to end on this machine, in one JVM: a single-node KRaft broker (Kafka's test
 * kit), the testkit's {@code CollectorServer} in counting mode, and, in turn:
 * <ol>
 *   <li>direct HTTP: Beacon's client with the HTTP transport to the collector (the baseline);</li>
 *   <li>the Kafka transport: the same client writing the same events to a 4-partition topic;</li>
 *   <li>one relay draining that topic to the collector;</li>
 *   <li>two relays in one group draining it again (a fresh group reads from the start).</li>
 * </ol>
 * Rates are events over wall time: for the clients from the first call until {@code close()}
 * returned with everything delivered; for the relays from the moment the group assigned the
 * partitions until the last event was delivered. The broker, the collector and the relays share
 * the same cores, so these are lower bounds for a real deployment.
 *
 * <pre>
 * java -cp benchmarks.jar dev.beacon.bench.RelayThroughput [--events 300000] [--reps 2]
 * </pre>
 */
public final class RelayThroughput {
  private RelayThroughput() {}

  public static void main(String[] args) throws Exception {
    int events = 300_000;
    int reps = 2;
    for (int i = 0; i < args.length; i++) {
      if ("--events".equals(args[i])) {
        events = Integer.parseInt(args[++i]);
      } else if ("--reps".equals(args[i])) {
        reps = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
        CollectorServer collector = CollectorServer.builder().writeKey(SideBySide.WRITE_KEY).countOnly(true)
            .build().start()) {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      String servers = cluster.bootstrapServers();
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      List<String> lines = new ArrayList<>();
      try (Admin admin = Admin.create(p)) {
        for (int rep = 1; rep <= reps; rep++) {
          String topic = "bench-" + rep;
          admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1), new NewTopic(topic + ".dlq", 1, (short) 1)))
              .all().get(30, TimeUnit.SECONDS);
          double direct = client(events, HttpTransport.builder(SideBySide.WRITE_KEY).endpoint(collector.uri())
              .build());
          double producer = client(events, KafkaTransport.builder().bootstrapServers(servers).topic(topic).build());
          double one = relays(events, servers, topic, "one-" + rep, 1, collector);
          double two = relays(events, servers, topic, "two-" + rep, 2, collector);
          String line = String.format(Locale.ROOT, "rep %d: direct HTTP %,.0f events/s | Kafka transport %,.0f/s |"
              + " 1 relay %,.0f/s (%.0f%% of direct) | 2 relays %,.0f/s", rep, direct, producer, one,
              100 * one / direct, two);
          System.out.println(line);
          lines.add(line);
        }
      }
      System.out.println();
      System.out.println("events per run: " + events + ", JVM " + System.getProperty("java.version") + ", "
          + Runtime.getRuntime().availableProcessors() + " CPUs");
      lines.forEach(System.out::println);
    }
  }

  private static double client(int events, dev.beacon.spi.Transport transport) {
    Analytics analytics = Analytics.builder(SideBySide.WRITE_KEY).transport(transport)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(60))).shutdownHook(false).build();
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      analytics.enqueue(Workload.track(i));
    }
    if (!analytics.close(Duration.ofMinutes(5)).complete() || analytics.stats().delivered() != events) {
      throw new IllegalStateException("client did not deliver everything: " + analytics.stats());
    }
    return events / ((System.nanoTime() - start) / 1e9);
  }

  private static double relays(int events, String servers, String topic, String group, int n,
      CollectorServer collector) throws InterruptedException {
    List<KafkaRelay> relays = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      relays.add(KafkaRelay.builder().bootstrapServers(servers).topic(topic).groupId(group)
          .transport(HttpTransport.builder(SideBySide.WRITE_KEY).endpoint(collector.uri()).build())
          .build());
    }
    relays.forEach(KafkaRelay::start);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (relays.stream().mapToInt(r -> r.stats().assignedPartitions()).sum() < 4) {
      check(deadline, relays);
      Thread.sleep(1);
    }
    long start = System.nanoTime();
    while (relays.stream().mapToLong(r -> r.stats().delivered()).sum() < events) {
      check(deadline, relays);
      Thread.sleep(1);
    }
    double rate = events / ((System.nanoTime() - start) / 1e9);
    for (KafkaRelay r : relays) {
      r.close(Duration.ofSeconds(30));
    }
    return rate;
  }

  private static void check(long deadline, List<KafkaRelay> relays) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("relays did not finish within 10 minutes: " + relays.get(0).stats());
    }
  }
}
