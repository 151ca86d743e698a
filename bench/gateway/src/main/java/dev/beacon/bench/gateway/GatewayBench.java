package dev.beacon.bench.gateway;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The gateway measured side by side with {@code wrk}, one target after the other in one run, each
 * in a JVM of its own on 127.0.0.1: the no-op Netty server (the ceiling), the testkit's
 * {@code CollectorServer}, the gateway with the local journal ({@code process-crash}, forwarding to
 * a counting {@code CollectorServer} in another JVM) and the gateway with the Kafka sink (a KRaft
 * broker in another JVM). For each, with {@code bench/gateway/wrk/segment.lua}:
 *
 * <ol>
 *   <li>a warm-up of each request shape below (batch, then single);</li>
 *   <li>20-event {@code /v1/batch} requests: the peak (as fast as the connections go),
 *       then {@code --fraction} (70%) of that peak's requests/s on a constant-rate schedule, for
 *       p50/p99 latency at that load;</li>
 *   <li>the same for single-event {@code /v1/t} requests.</li>
 * </ol>
 *
 * <p>Each phase also records CPU: the target JVM's, wrk's, the helpers' (receiver or broker), and
 * what the rest of the machine used meanwhile (other users of the shared cores), from
 * {@code /proc/stat}. After the target stops, durability is checked: the journal's receiver must
 * have counted at least every event the gateway answered 200 for (the gateway's close forwards the
 * journal first); the Kafka topic must hold at least as many records.
 *
 * <pre>
 * java [Chronicle's flags] -cp gateway-bench.jar dev.beacon.bench.gateway.GatewayBench \
 *     [--runs 2] [--seconds 15] [--warmup 15] [--threads 2] [--connections 32] [--fraction 0.7] \
 *     [--targets noop,collector,journal,kafka] [--script bench/gateway/wrk/segment.lua] [--out FILE]
 * </pre>
 */
public final class GatewayBench {
  private static final int EVENTS_PER_BATCH = 20;
  private static final double TICKS = 100.0; // USER_HZ of /proc/stat

  private int runs = 2;
  private int seconds = 15;
  private int warmup = 15;
  private int threads = 2;
  private int connections = 32;
  private double fraction = 0.7;
  private List<String> targets = List.of("noop", "collector", "journal", "kafka");
  private Path script = Path.of("bench/gateway/wrk/segment.lua");
  private Path out;
  private String heap = "-Xmx1g";
  private Path work;
  private List<String> jvm;

  private GatewayBench() {}

  /**
   * Runs the bench; see the class description.
   *
   * @param args options
   * @throws Exception when a target cannot start or wrk fails
   */
  public static void main(String[] args) throws Exception {
    GatewayBench b = new GatewayBench();
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--runs" -> b.runs = Integer.parseInt(v);
        case "--seconds" -> b.seconds = Integer.parseInt(v);
        case "--warmup" -> b.warmup = Integer.parseInt(v);
        case "--threads" -> b.threads = Integer.parseInt(v);
        case "--connections" -> b.connections = Integer.parseInt(v);
        case "--fraction" -> b.fraction = Double.parseDouble(v);
        case "--targets" -> b.targets = List.of(v.split(","));
        case "--script" -> b.script = Path.of(v);
        case "--out" -> b.out = Path.of(v);
        case "--heap" -> b.heap = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
      i++;
    }
    if (!Files.isRegularFile(b.script)) {
      throw new IllegalArgumentException("no wrk script at " + b.script.toAbsolutePath());
    }
    b.run();
  }

  private void run() throws Exception {
    work = Files.createTempDirectory("gateway-bench");
    jvm = new ArrayList<>();
    jvm.add(ProcessHandle.current().info().command().orElse("java"));
    // Chronicle's flags (and whatever else the runner passed) go to every child; the heap is the bench's.
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> !a.startsWith("-Xmx") && !a.startsWith("-agentlib")).forEach(jvm::add);
    jvm.add(heap);
    jvm.add("-cp");
    jvm.add(System.getProperty("java.class.path"));
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Started %s; %d CPUs, JVM %s, wrk -t%d -c%d, %d s a phase (warm-up %d s),"
        + " latency at %.0f%% of each peak.%n%n", Instant.now(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), threads, connections, seconds, warmup, fraction * 100));
    try {
      for (int r = 1; r <= runs; r++) {
        List<Result> results = new ArrayList<>();
        for (String t : targets) {
          results.add(measure(r, t));
        }
        String table = table(r, results);
        System.out.println();
        System.out.println(table);
        md.append(table).append('\n');
      }
    } finally {
      delete(work);
    }
    if (out != null) {
      Files.writeString(out, md.toString());
      System.out.println("written to " + out);
    }
  }

  /** One target: start, batch phases, single phases, stop, durability check. */
  private Result measure(int run, String target) throws Exception {
    List<Child> helpers = new ArrayList<>();
    Child main = null;
    try {
      switch (target) {
        case "noop", "collector" -> main = Child.start(jvm, target, work);
        case "journal" -> {
          Child counter = Child.start(jvm, "counter", work);
          helpers.add(counter);
          Path dir = Files.createDirectories(work.resolve("journal-" + run));
          main = Child.start(jvm, "journal", work, "--dir", dir.toString(), "--forward", counter.address);
        }
        case "kafka" -> {
          String topic = "gateway-bench-" + run;
          Child broker = Child.start(jvm, "broker", work, "--topic", topic);
          helpers.add(broker);
          Path dir = Files.createDirectories(work.resolve("kafka-" + run));
          main = Child.start(jvm, "kafka", work, "--dir", dir.toString(), "--bootstrap", broker.address,
              "--topic", topic);
        }
        default -> throw new IllegalArgumentException("unknown target " + target
            + " (noop, collector, journal, kafka)");
      }
      Result r = new Result(target, loadAverage());
      System.out.printf(Locale.ROOT, "%n== run %d: %s on %s (load average before: %s)%n", run, target, main.address,
          r.loadBefore);
      // Both request shapes are warmed up before either is measured: on a busy machine the JIT's
      // threads get little CPU, and whichever shape ran first would otherwise be measured half
      // interpreted (a first probe measured batches at a third of their warm rate).
      phase(main, helpers, "batch", warmup, 0, "warm-up");
      phase(main, helpers, "single", warmup, 0, "warm-up");
      r.batchPeak = phase(main, helpers, "batch", seconds, 0, "batch peak");
      r.batchPaced = phase(main, helpers, "batch", seconds, fraction * r.batchPeak.okPerSecond(), "batch at "
          + Math.round(fraction * 100) + "%");
      r.singlePeak = phase(main, helpers, "single", seconds, 0, "single peak");
      r.singlePaced = phase(main, helpers, "single", seconds, fraction * r.singlePeak.okPerSecond(), "single at "
          + Math.round(fraction * 100) + "%");
      Map<String, String> result = main.stop(Duration.ofMinutes(6));
      r.durability = durability(target, result, helpers);
      System.out.println("   " + target + ": " + result + " -> " + r.durability);
      return r;
    } finally {
      for (Child h : helpers) {
        if (h.process.isAlive()) {
          try {
            h.stop(Duration.ofMinutes(1));
          } catch (RuntimeException e) {
            System.out.println("   " + h.name + " did not stop cleanly: " + e.getMessage());
          }
        }
        h.close();
      }
      if (main != null) {
        main.close();
      }
    }
  }

  /** The sink's own evidence that what got a 200 is durable (the noop server and collector have none). */
  private static String durability(String target, Map<String, String> result, List<Child> helpers) {
    long accepted = Long.parseLong(result.getOrDefault("accepted", "-1"));
    switch (target) {
      case "journal" -> {
        Map<String, String> counted = helpers.get(0).stats();
        long arrived = Long.parseLong(counted.get("messages"));
        return String.format(Locale.ROOT, "%s: %,d events answered 200, %,d forwarded from the journal, %,d counted"
            + " by the receiver (%s rejected)", arrived >= accepted ? "ok" : "MISSING EVENTS", accepted,
            Long.parseLong(result.get("delivered")), arrived, counted.get("rejected"));
      }
      case "kafka" -> {
        long records = Long.parseLong(result.get("records"));
        return String.format(Locale.ROOT, "%s: %,d events answered 200, %,d records in the topic (acks=all)",
            records >= accepted ? "ok" : "MISSING RECORDS", accepted, records);
      }
      default -> {
        return "not durable (" + result + ")";
      }
    }
  }

  /** One wrk run against the target, with CPU accounting around it. */
  private Phase phase(Child main, List<Child> helpers, String mode, int secs, double rate, String label)
      throws IOException, InterruptedException {
    int conns = Math.max(threads, connections);
    List<String> cmd = List.of("bash", "-c", "wrk -t" + threads + " -c" + conns + " -d" + secs
        + "s --timeout 10s -s \"$0\" \"$1\"; rc=$?; times; exit $rc", script.toString(), main.address);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("BENCH_MODE", mode);
    env.put("BENCH_RUN", Long.toString(System.nanoTime(), 36));
    env.put("BENCH_WRITE_KEY", TargetMain.WRITE_KEY);
    env.put("BENCH_AUTHORIZATION", "Basic " + Base64.getEncoder()
        .encodeToString((TargetMain.WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)));
    if (rate > 0) {
      env.put("BENCH_RATE_PER_THREAD", String.format(Locale.ROOT, "%.3f", rate / threads));
    }
    long[] before = procStat();
    double targetBefore = main.cpuSeconds();
    double helpersBefore = helpers.stream().mapToDouble(Child::cpuSeconds).sum();
    long start = System.nanoTime();
    Process wrk = pb.start();
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!wrk.waitFor(secs + 120L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
      throw new IllegalStateException("wrk failed: " + output);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    long[] after = procStat();
    Phase p = new Phase();
    p.mode = mode;
    p.askedRate = rate;
    String line = output.lines().filter(l -> l.startsWith("BENCH ")).findFirst()
        .orElseThrow(() -> new IllegalStateException("wrk printed no BENCH line: " + output));
    Map<String, String> f = Child.fields(line.substring(6));
    p.requests = Long.parseLong(f.get("requests"));
    p.seconds = Long.parseLong(f.get("duration_us")) / 1e6;
    p.non2xx = Long.parseLong(f.get("status"));
    p.socketErrors = Long.parseLong(f.get("connect")) + Long.parseLong(f.get("read"))
        + Long.parseLong(f.get("write")) + Long.parseLong(f.get("timeout"));
    p.p50 = Long.parseLong(f.get("p50_us")) / 1000.0;
    p.p99 = Long.parseLong(f.get("p99_us")) / 1000.0;
    p.max = Long.parseLong(f.get("max_us")) / 1000.0;
    p.eventsPerRequest = "batch".equals(mode) ? EVENTS_PER_BATCH : 1;
    p.targetCores = (main.cpuSeconds() - targetBefore) / wall;
    p.helperCores = (helpers.stream().mapToDouble(Child::cpuSeconds).sum() - helpersBefore) / wall;
    p.wrkCores = wrkCpuSeconds(output) / wall;
    p.machineCores = (after[0] - before[0]) / TICKS / wall;
    System.out.printf(Locale.ROOT, "   %-16s %s%n", label, p);
    return p;
  }

  /** The children's user + system time that bash's {@code times} printed last (wrk's). */
  private static double wrkCpuSeconds(String output) {
    List<String> times = output.lines().filter(l -> l.matches("\\d+m[\\d.]+s \\d+m[\\d.]+s")).toList();
    if (times.isEmpty()) {
      return 0;
    }
    double sum = 0;
    for (String t : times.get(times.size() - 1).split(" ")) {
      int m = t.indexOf('m');
      sum += Integer.parseInt(t.substring(0, m)) * 60 + Double.parseDouble(t.substring(m + 1, t.length() - 1));
    }
    return sum;
  }

  /** {busy ticks, all ticks} of the whole machine. */
  private static long[] procStat() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long all = 0;
    for (int i = 1; i < Math.min(f.length, 9); i++) {
      all += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new long[] {all - idle, all};
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private String table(int run, List<Result> results) {
    Result noop = results.stream().filter(r -> r.target.equals("noop")).findFirst().orElse(null);
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "Run %d%n%n", run));
    t.append("| target | batch peak: events/s (req/s) | of no-op | p50 / p99 at 70% (achieved req/s) "
        + "| single /v1/t peak req/s | of no-op | p50 / p99 at 70% (achieved) | gateway CPU at batch peak "
        + "| events per CPU-second | others' CPU (batch / single peak) | load avg before |\n");
    t.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      t.append(String.format(Locale.ROOT, "| %s | %,.0f (%,.0f) | %s | %.1f / %.1f ms (%,.0f of %,.0f) | %,.0f | %s "
          + "| %.1f / %.1f ms (%,.0f of %,.0f) | %.2f cores | %,.0f | %.2f / %.2f cores | %s |%n", r.target,
          r.batchPeak.eventsPerSecond(), r.batchPeak.okPerSecond(), ratio(r.batchPeak, noop == null ? null : noop.batchPeak),
          r.batchPaced.p50, r.batchPaced.p99, r.batchPaced.okPerSecond(), r.batchPaced.askedRate,
          r.singlePeak.okPerSecond(), ratio(r.singlePeak, noop == null ? null : noop.singlePeak),
          r.singlePaced.p50, r.singlePaced.p99, r.singlePaced.okPerSecond(), r.singlePaced.askedRate,
          r.batchPeak.targetCores, r.batchPeak.eventsPerSecond() / Math.max(1e-9, r.batchPeak.targetCores),
          r.batchPeak.othersCores(), r.singlePeak.othersCores(), r.loadBefore));
    }
    t.append('\n');
    for (Result r : results) {
      t.append(String.format(Locale.ROOT, "- %s: %s. Errors: batch %d/%d/%d/%d, single %d/%d/%d/%d (non-2xx / socket,"
          + " peak then 70%%). CPU at batch peak: target %.2f, wrk %.2f, helper %.2f, machine %.2f cores.%n",
          r.target, r.durability, r.batchPeak.non2xx, r.batchPeak.socketErrors, r.batchPaced.non2xx,
          r.batchPaced.socketErrors, r.singlePeak.non2xx, r.singlePeak.socketErrors, r.singlePaced.non2xx,
          r.singlePaced.socketErrors, r.batchPeak.targetCores, r.batchPeak.wrkCores, r.batchPeak.helperCores,
          r.batchPeak.machineCores));
    }
    return t.toString();
  }

  private static String ratio(Phase p, Phase ceiling) {
    return ceiling == null ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * p.okPerSecond() / ceiling.okPerSecond());
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One target's phases. */
  private static final class Result {
    final String target;
    final String loadBefore;
    Phase batchPeak;
    Phase batchPaced;
    Phase singlePeak;
    Phase singlePaced;
    String durability;

    Result(String target, String loadBefore) {
      this.target = target;
      this.loadBefore = loadBefore;
    }
  }

  /** One wrk run's figures. */
  private static final class Phase {
    String mode;
    double askedRate;
    long requests;
    double seconds;
    long non2xx;
    long socketErrors;
    double p50;
    double p99;
    double max;
    int eventsPerRequest;
    double targetCores;
    double helperCores;
    double wrkCores;
    double machineCores;

    /** Requests answered 2xx per second. */
    double okPerSecond() {
      return (requests - non2xx) / seconds;
    }

    double eventsPerSecond() {
      return okPerSecond() * eventsPerRequest;
    }

    /** CPU the rest of the machine used meanwhile: other users of the shared cores. */
    double othersCores() {
      return Math.max(0, machineCores - targetCores - helperCores - wrkCores);
    }

    @Override
    public String toString() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("req/s", String.format(Locale.ROOT, "%,.0f%s", okPerSecond(),
          askedRate > 0 ? String.format(Locale.ROOT, " (asked %,.0f)", askedRate) : ""));
      m.put("events/s", String.format(Locale.ROOT, "%,.0f", eventsPerSecond()));
      m.put("p50/p99/max", String.format(Locale.ROOT, "%.1f/%.1f/%.0f ms", p50, p99, max));
      m.put("non-2xx", Long.toString(non2xx));
      m.put("socket errors", Long.toString(socketErrors));
      m.put("CPU target/wrk/helper/others", String.format(Locale.ROOT, "%.2f/%.2f/%.2f/%.2f", targetCores, wrkCores,
          helperCores, othersCores()));
      return m.toString();
    }
  }
}
