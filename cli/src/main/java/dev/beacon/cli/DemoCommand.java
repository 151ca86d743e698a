package dev.beacon.cli;

import dev.beacon.Analytics;
import dev.beacon.Identify;
import dev.beacon.MessageIds;
import dev.beacon.QueueFullPolicy;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.CollectorStats;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code beacon demo}: realistic eCommerce traffic through the real engine and HTTP transport, to
 * an in-process collector on loopback (or a real API with {@code --endpoint}), then a summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Generate realistic traffic (identify, then eCommerce v2 events with products and revenue)"
        + " over many users, send it through Beacon's engine and HTTP transport, and print a summary.",
        "Without --endpoint it starts a local Segment-compatible collector on 127.0.0.1 and checks that"
            + " every event arrived."})
final class DemoCommand implements Callable<Integer> {
  private static final String[] FUNNEL = {"Products Searched", "Product List Viewed", "Product Viewed",
      "Product Added", "Cart Viewed", "Checkout Started", "Checkout Step Completed", "Payment Info Entered",
      "Order Completed"};
  private static final String[] CATEGORIES = {"Footwear", "Apparel", "Outdoor", "Books", "Kitchen"};
  private static final String[] BRANDS = {"Acme", "Globex", "Initech", "Umbrella", "Hooli"};
  private static final String[] PLANS = {"free", "trial", "premium", "enterprise"};

  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Option(names = "--events", paramLabel = "N", defaultValue = "100000",
      description = "events to send (default: ${DEFAULT-VALUE})")
  int events;

  @Option(names = "--users", paramLabel = "N", defaultValue = "5000", description = "distinct users (default: ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "producer threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed;

  private final Set<String> arrived = ConcurrentHashMap.newKeySet();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (events < 1 || users < 1 || threads < 1) {
      throw new CliException(ExitCodes.USAGE, "--events, --users and --threads must be positive");
    }
    boolean local = client.endpoint == null && client.region == null;
    CollectorServer collector = null;
    String key;
    URI endpoint;
    if (local) {
      // Only the ids are kept for the check: recording every parsed message cost ~1 GB at 100,000 events.
      collector = CollectorServer.builder().acceptAnyWriteKey().maxRecordedMessages(1).requestLogSize(1)
          .listener((path, messages) -> {
            for (CapturedMessage m : messages) {
              arrived.add(m.messageId());
            }
          }).build().start();
      key = "demo-write-key";
      endpoint = collector.uri();
      out.println("collector: " + endpoint + " (in-process, loopback)");
    } else {
      key = client.writeKey();
      endpoint = client.endpointOrDefault();
      client.region = null; // resolved into the endpoint, which run() sets
      out.println("endpoint: " + endpoint);
    }
    try {
      return run(out, key, endpoint, collector);
    } finally {
      if (collector != null) {
        collector.close();
      }
    }
  }

  private int run(PrintWriter out, String key, URI endpoint, CollectorServer collector) throws InterruptedException {
    client.endpoint = endpoint;
    Set<String> sentIds = ConcurrentHashMap.newKeySet();
    AtomicLong failed = new AtomicLong();
    // Beacon's own threads (consumer, scheduler) add their CPU time here when they end.
    AtomicLong engineCpu = new AtomicLong();
    List<Thread> engineThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    Analytics analytics = client.builder(key)
        .threadFactory(r -> {
          Thread t = new Thread(() -> {
            try {
              r.run();
            } finally {
              engineCpu.addAndGet(Cpu.currentThread());
            }
          }, "beacon-demo-" + (engineThreads.size() + 1));
          t.setDaemon(true);
          engineThreads.add(t);
          return t;
        })
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofMinutes(1)))
        .shutdownTimeout(Duration.ofMinutes(2))
        .onError((e, m) -> failed.addAndGet(e.messageCount())).build();
    int perThread = (events + threads - 1) / threads;
    long[][] latencies = new long[threads][];
    AtomicLong producerCpu = new AtomicLong();
    long processCpuStart = Cpu.process();
    Thread[] workers = new Thread[threads];
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int id = t;
      int from = id * perThread;
      int to = Math.min(events, from + perThread);
      latencies[t] = new long[Math.max(0, to - from)];
      workers[t] = new Thread(() -> {
        produce(analytics, from, to, latencies[id], sentIds);
        producerCpu.addAndGet(Cpu.currentThread());
      }, "demo-producer-" + t);
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    long produced = System.nanoTime();
    analytics.close();
    long end = System.nanoTime();
    for (Thread t : engineThreads) {
      t.join(5_000); // close() has stopped them; their CPU time is added as they end
    }
    // Read now: the collector's threads are still alive (they idle out after 30 s).
    long collectorCpu = collector == null ? 0 : Cpu.threadsNamed("collector-", "HTTP-Dispatcher");
    long processCpu = Cpu.process() - processCpuStart;
    long gcMillis = 0;
    long gcCount = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory
        .getGarbageCollectorMXBeans()) {
      gcMillis += Math.max(0, gc.getCollectionTime());
      gcCount += Math.max(0, gc.getCollectionCount());
    }
    Stats s = analytics.stats();

    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    double callSecs = (produced - start) / 1e9;
    double totalSecs = (end - start) / 1e9;
    out.printf("events: %d accepted, %d delivered, %d failed, %d dropped%n", s.accepted(), s.delivered(),
        s.failed(), s.dropped());
    out.printf("throughput: %.0f calls/s (%d thread(s)), %.0f events/s delivered end to end (%.2f s)%n",
        s.accepted() / callSecs, threads, s.delivered() / totalSecs, totalSecs);
    out.printf("call latency: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs%n", pct(all, 0.50), pct(all, 0.99),
        pct(all, 0.999));
    out.printf("batches: %d requests, %d retries, mean batch %.0f events%n", s.requests(), s.retries(),
        s.batches() == 0 ? 0.0 : (double) s.delivered() / s.batches());
    long inCalls = Arrays.stream(all).sum();
    double waitShare = inCalls / (threads * callSecs * 1e9);
    long rest = Math.max(0, processCpu - producerCpu.get() - engineCpu.get() - collectorCpu);
    if (processCpu > 0) {
      int cores = Runtime.getRuntime().availableProcessors();
      out.printf("cpu: %.1f s over %.2f s on %d core(s) (%.0f%% of the machine; the rest went to other processes"
          + " or idled): producers %.1f s, Beacon's engine (batching,"
          + " serialization, gzip) %.1f s, %sthe JVM (JIT, GC) and HTTP client %.1f s; %d GC pause(s), %.1f s%n",
          processCpu / 1e9, totalSecs, cores, Math.min(100, 100 * processCpu / 1e9 / (cores * totalSecs)),
          producerCpu.get() / 1e9, engineCpu.get() / 1e9,
          collector == null ? "" : String.format("in-process collector (parsing, validating) %.1f s, ",
              collectorCpu / 1e9), rest / 1e9, gcCount, gcMillis / 1e3);
    }
    out.println("bottleneck: " + bottleneck(waitShare, engineCpu.get(), collectorCpu, rest, collector != null));
    int code = s.delivered() == s.accepted() && s.failed() == 0 ? ExitCodes.OK : ExitCodes.NOT_DELIVERED;
    if (collector != null) {
      CollectorStats c = collector.stats();
      out.printf("collector: %d requests, %.1f MB received, %.1f MB uncompressed, gzip ratio %.1f:1%n",
          c.acceptedRequests(), c.bytesReceived() / 1e6, c.bytesUncompressed() / 1e6, c.gzipRatio());
      long missing = sentIds.stream().filter(id -> !arrived.contains(id)).count();
      out.printf("check: %d of %d events arrived, %d missing, %d duplicate(s) — %s%n", sentIds.size() - missing,
          sentIds.size(), missing, c.duplicates(), missing == 0 ? "OK" : "FAILED");
      if (missing > 0) {
        code = ExitCodes.NOT_DELIVERED;
      }
    }
    return code;
  }

  /**
   * Says which part limited the run. The producers' time inside the calls tells whether the ring
   * held them back (a full ring blocks them); if it did, delivery was the limit, and the largest
   * measured CPU user behind the ring names the part.
   *
   * @param waitShare the producers' time inside calls over their whole time
   * @param engineCpu CPU nanoseconds of Beacon's own threads
   * @param collectorCpu CPU nanoseconds of the in-process collector's threads
   * @param jvmCpu CPU nanoseconds of everything else: JIT compiler and GC threads, the HTTP client
   * @param local whether the collector runs in this process
   * @return one sentence
   */
  static String bottleneck(double waitShare, long engineCpu, long collectorCpu, long jvmCpu, boolean local) {
    String share = String.format("%.0f%%", Math.min(1, waitShare) * 100);
    if (waitShare < 0.5) {
      return "the producers: they spent " + share + " of their time inside the calls, so the ring never held"
          + " them back, and calls/s is Beacon's accept rate under this load";
    }
    String behind = "the producers spent " + share + " of their time waiting in the calls for room in the ring,"
        + " so calls/s is the delivery rate here, not Beacon's accept rate";
    String elsewhere = "; docs/performance.md measures Beacon on a warm JVM with a counting collector in its own"
        + " process";
    if (!local) {
      return "delivery to the endpoint: " + behind;
    }
    if (jvmCpu > engineCpu && jvmCpu > collectorCpu) {
      return "the JVM sharing the cores: JIT compilation of a cold JVM and garbage collection took more CPU than"
          + " Beacon's engine or the collector; "
          + behind + elsewhere;
    }
    if (collectorCpu > engineCpu) {
      return "the in-process collector, which parses and validates every message on the same cores: " + behind
          + elsewhere;
    }
    return "Beacon's engine (serialization and gzip on one thread, sharing the cores with the producers and the"
        + " in-process collector): " + behind + elsewhere;
  }

  /** CPU time, when the JVM can measure it (0 otherwise). */
  static final class Cpu {
    private Cpu() {}

    static long process() {
      java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      return os instanceof com.sun.management.OperatingSystemMXBean
          ? Math.max(0, ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime()) : 0;
    }

    static long currentThread() {
      java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
      return t.isCurrentThreadCpuTimeSupported() ? Math.max(0, t.getCurrentThreadCpuTime()) : 0;
    }

    /** The CPU time of the live threads whose names start with one of {@code prefixes}. */
    static long threadsNamed(String... prefixes) {
      java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
      if (!mx.isThreadCpuTimeSupported()) {
        return 0;
      }
      long sum = 0;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        for (String p : prefixes) {
          if (t.getName().startsWith(p)) {
            sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
            break;
          }
        }
      }
      return sum;
    }
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1000.0;
  }

  /** One producer: identify each user on first sight, then walk the eCommerce funnel. */
  private void produce(Analytics analytics, int from, int to, long[] latency, Set<String> ids) {
    SplittableRandom rnd = new SplittableRandom(seed + from);
    for (int i = from; i < to; i++) {
      int user = rnd.nextInt(users);
      String userId = "user_" + user;
      boolean firstSight = i - from < users && user % Math.max(1, (to - from) / Math.max(1, users)) == 0;
      long t0 = System.nanoTime();
      boolean ok;
      String id;
      if (firstSight && rnd.nextInt(10) == 0) {
        Identify m = Identify.builder().userId(userId).traits(Map.of(
            "email", userId + "@example.com", "name", "User " + user,
            "plan", PLANS[user % PLANS.length], "createdAt", "2024-01-15T10:30:00Z")).build();
        id = m.messageId();
        ok = analytics.enqueue(m);
      } else {
        String event = FUNNEL[rnd.nextInt(FUNNEL.length)];
        Track m = Track.builder(event).userId(userId).properties(properties(event, rnd))
            .messageId(MessageIds.stable("demo", Long.toString(seed), Integer.toString(i))).build();
        id = m.messageId();
        ok = analytics.enqueue(m);
      }
      latency[i - from] = System.nanoTime() - t0;
      if (ok) {
        ids.add(id);
      }
    }
  }

  private static Map<String, Object> properties(String event, SplittableRandom rnd) {
    int n = 1 + rnd.nextInt(3);
    Map<String, Object>[] products = new Map[n];
    double subtotal = 0;
    for (int p = 0; p < n; p++) {
      int sku = rnd.nextInt(10_000);
      double price = Math.round((5 + rnd.nextDouble() * 195) * 100) / 100.0;
      int quantity = 1 + rnd.nextInt(3);
      subtotal += price * quantity;
      products[p] = Map.of("product_id", "PROD-" + sku, "sku", "SKU-" + sku,
          "category", CATEGORIES[sku % CATEGORIES.length], "name", "Product " + sku,
          "brand", BRANDS[sku % BRANDS.length], "price", price, "quantity", quantity, "position", p + 1);
    }
    double tax = Math.round(subtotal * 0.08 * 100) / 100.0;
    double shipping = subtotal > 100 ? 0.0 : 5.0;
    if ("Order Completed".equals(event)) {
      return Map.of("order_id", "ORD-" + rnd.nextInt(1_000_000), "checkout_id", "CHK-" + rnd.nextInt(1_000_000),
          "affiliation", "Web Store", "subtotal", Math.round(subtotal * 100) / 100.0, "tax", tax,
          "shipping", shipping, "revenue", Math.round(subtotal * 100) / 100.0,
          "total", Math.round((subtotal + tax + shipping) * 100) / 100.0, "currency", "USD",
          "products", List.of(products));
    }
    if ("Products Searched".equals(event)) {
      return Map.of("query", CATEGORIES[rnd.nextInt(CATEGORIES.length)].toLowerCase());
    }
    return Map.of("cart_id", "CART-" + rnd.nextInt(100_000), "currency", "USD", "products", List.of(products));
  }
}
