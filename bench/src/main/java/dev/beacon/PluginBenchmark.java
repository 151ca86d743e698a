package dev.beacon;

import dev.beacon.bench.Workload;
import dev.beacon.plugins.ContextEnricher;
import dev.beacon.trackingplan.TrackingPlan;
import dev.beacon.trackingplan.TrackingPlanPlugin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What plugins add to a call, as latency percentiles of one producer (SampleTime: p50, p99 in the
 * JSON): {@code track()} with no plugin and with one {@link ContextEnricher}, and a
 * {@link TrackingPlanPlugin} checking an "Order Completed" with 10 properties against a 50-event
 * plan (the check alone, without the engine).
 *
 * <p>The forks pre-touch their heap ({@code -XX:+AlwaysPreTouch}): on the virtual machines we
 * measure on, the first write to each fresh heap page costs so much that the plan check (about
 * 7 KB allocated per call) measured 60 µs a call with a 3 GB heap left untouched and 2.7 µs with
 * the same heap pre-touched, in the same loop under the same load.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
@Threads(1)
public class PluginBenchmark {

  /** A {@code send(false)} client with an empty 2M-slot queue at every iteration. */
  @State(Scope.Benchmark)
  public static class Client {
    /** {@code none} or {@code enricher}. */
    @Param({"none", "enricher"})
    public String plugins;

    Analytics analytics;
    int i;

    @Setup(Level.Trial)
    public void start() {
      Analytics.Builder b = Analytics.builder("bench-write-key")
          .maxQueueSize(1 << 21)
          .maxQueueBytes(4L << 30)
          .shutdownHook(false)
          .shutdownTimeout(Duration.ZERO)
          .send(false);
      if ("enricher".equals(plugins)) {
        b.plugin(ContextEnricher.builder().appName("shop").appVersion("2.4.1").appBuild("1187")
            .environment("production").host("web-1").build());
      }
      analytics = b.build();
    }

    @Setup(Level.Iteration)
    public void drain() {
      analytics.flush(Duration.ofSeconds(60));
    }

    @TearDown(Level.Trial)
    public void stop() {
      analytics.close(Duration.ZERO);
    }
  }

  /** A 50-event plan (the eCommerce events plus 44 more) and a conforming Order Completed. */
  @State(Scope.Benchmark)
  public static class Plan {
    TrackingPlanPlugin plugin;
    Track order;

    @Setup(Level.Trial)
    public void load() {
      StringBuilder events = new StringBuilder();
      String order = "{\"name\": \"Order Completed\", \"version\": 1, \"rules\": {\"$schema\":"
          + " \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\", \"required\": [\"properties\"],"
          + " \"properties\": {\"properties\": {\"type\": \"object\","
          + " \"required\": [\"orderId\", \"total\", \"currency\", \"products\"], \"properties\": {"
          + "\"orderId\": {\"type\": \"string\", \"minLength\": 1}, \"total\": {\"type\": \"number\", \"minimum\": 0},"
          + "\"revenue\": {\"type\": \"number\"}, \"subtotal\": {\"type\": \"number\"}, \"tax\": {\"type\": \"number\"},"
          + "\"shipping\": {\"type\": \"number\"}, \"discount\": {\"type\": \"number\"}, \"coupon\": {\"type\": \"string\"},"
          + "\"currency\": {\"type\": \"string\", \"pattern\": \"^[A-Z]{3}$\"},"
          + "\"products\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"required\": [\"product_id\"],"
          + " \"properties\": {\"product_id\": {\"type\": \"string\"}, \"price\": {\"type\": \"number\"},"
          + " \"quantity\": {\"type\": \"integer\", \"minimum\": 1}}}}}}}}}";
      events.append(order);
      for (int e = 1; e < 50; e++) {
        events.append(", {\"name\": \"Event ").append(e).append("\", \"version\": 1, \"rules\": {\"type\": \"object\","
            + " \"properties\": {\"properties\": {\"type\": \"object\", \"required\": [\"id\"], \"properties\":"
            + " {\"id\": {\"type\": \"string\"}, \"n\": {\"type\": \"integer\"}}}}}}");
      }
      TrackingPlan plan = TrackingPlan.parse("{\"rules\": {\"events\": [" + events + "]}}", "bench-plan.json");
      plugin = TrackingPlanPlugin.builder(plan).mode(TrackingPlanPlugin.Mode.DROP).build();
      this.order = Track.builder("Order Completed").userId("user_123").properties(Map.of(
          "orderId", "ORD-12345", "total", 99.99, "revenue", 89.99, "subtotal", 79.99, "tax", 8.0,
          "shipping", 2.0, "discount", 10.0, "coupon", "SAVE10", "currency", "USD",
          "products", List.of(Map.of("product_id", "PROD-001", "price", 79.99, "quantity", 1)))).build();
      if (plugin.apply(this.order) == null) {
        throw new IllegalStateException("the benchmark's order must conform to its plan");
      }
    }
  }

  @Benchmark
  public boolean track(Client c) {
    return c.analytics.track(Workload.userId(c.i++), Workload.EVENT, Workload.PROPERTIES);
  }

  @Benchmark
  public Message checkOrderCompleted(Plan p) {
    return p.plugin.apply(p.order);
  }
}
