package dev.beacon.bench;

import dev.beacon.transport.kafka.KafkaEventSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * The gateway's Kafka sink alone, in one JVM with a single-node KRaft broker (Kafka's test kit):
 * calls of 20 events of about 400 bytes (a typical {@code /v1/batch}), at most {@code --in-flight}
 * calls waiting for their acknowledgement at a time, as a gateway's connections would keep them.
 * Reports events/s over wall time (first call to last acknowledgement) and the call latency
 * (append to acknowledgement) at that load. The broker shares the cores, so the figures are a
 * lower bound for a broker in its own JVM or machine.
 *
 * <pre>
 * java -cp benchmarks.jar dev.beacon.bench.KafkaSinkThroughput [--events 400000] [--in-flight 64] [--reps 3]
 * </pre>
 */
public final class KafkaSinkThroughput {
  private static final int PER_CALL = 20;

  private KafkaSinkThroughput() {}

  public static void main(String[] args) throws Exception {
    int events = 400_000;
    int inFlight = 64;
    int reps = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    try (KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()).build()) {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      String servers = cluster.bootstrapServers();
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      List<String> lines = new ArrayList<>();
      try (Admin admin = Admin.create(p)) {
        for (int rep = 1; rep <= reps; rep++) {
          String topic = "sink-bench-" + rep;
          admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
          awaitLeaders(admin, topic, 4);
          String line = String.format(Locale.ROOT, "rep %d: %s", rep, run(servers, topic, events, inFlight));
          System.out.println(line);
          lines.add(line);
        }
      }
      System.out.println();
      System.out.println("events per run: " + events + " in calls of " + PER_CALL + ", " + inFlight
          + " calls in flight, JVM " + System.getProperty("java.version") + ", "
          + Runtime.getRuntime().availableProcessors() + " CPUs");
      lines.forEach(System.out::println);
    }
  }

  /**
   * Waits until each partition's leader answers for it: producing at once to a topic just
   * created can race the broker's own metadata (NOT_LEADER after the append, then the idempotent
   * producer's retry refused as out of order), which would measure the test kit, not the sink.
   */
  private static void awaitLeaders(Admin admin, String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private static String run(String servers, String topic, int events, int inFlight) throws Exception {
    int calls = events / PER_CALL;
    long[] latencies = new long[calls];
    AtomicInteger failed = new AtomicInteger();
    Semaphore window = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(calls);
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(servers).topic(topic).build()) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!sink.ready()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("sink not ready: " + sink.state());
        }
        Thread.sleep(10);
      }
      long start = System.nanoTime();
      for (int c = 0; c < calls; c++) {
        window.acquire();
        List<KafkaEventSink.Event> batch = new ArrayList<>(PER_CALL);
        for (int i = 0; i < PER_CALL; i++) {
          int n = c * PER_CALL + i;
          String user = "user-" + (n % 1024);
          batch.add(new KafkaEventSink.Event(json(user, n), "track", user, "bench"));
        }
        int call = c;
        long sent = System.nanoTime();
        sink.append(batch).whenComplete((ok, error) -> {
          latencies[call] = System.nanoTime() - sent;
          if (error != null) {
            failed.incrementAndGet();
          }
          window.release();
          done.countDown();
        });
      }
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("calls not completed within 10 minutes: " + sink.state());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Arrays.sort(latencies);
      return String.format(Locale.ROOT, "%,.0f events/s (%,.0f calls/s), call latency p50 %.1f ms, p99 %.1f ms,"
          + " %d failed", calls * PER_CALL / seconds, calls / seconds, latencies[calls / 2] / 1e6,
          latencies[(int) (calls * 0.99)] / 1e6, failed.get());
    }
  }

  /** About 400 bytes, as the gateway would hand over a normalized track. */
  private static byte[] json(String user, int n) {
    return ("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"" + user + "\",\"properties\":"
        + "{\"orderId\":\"o-" + n + "\",\"total\":129.95,\"currency\":\"EUR\",\"items\":3,\"coupon\":\"WINTER\"},"
        + "\"context\":{\"ip\":\"203.0.113.9\",\"library\":{\"name\":\"analytics.js\",\"version\":\"1.0.0\"},"
        + "\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0\",\"page\":{\"path\":\"/checkout\"}},"
        + "\"messageId\":\"bench-" + n + "\",\"timestamp\":\"2026-12-07T17:00:00.000Z\","
        + "\"receivedAt\":\"2026-12-07T17:00:00.123Z\"}").getBytes(StandardCharsets.UTF_8);
  }
}
