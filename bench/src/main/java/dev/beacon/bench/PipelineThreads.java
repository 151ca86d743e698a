package dev.beacon.bench;

import dev.beacon.Analytics;
import dev.beacon.QueueFullPolicy;
import dev.beacon.transport.http.HttpTransport;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Where the in-memory pipeline's CPU goes, by thread: SideBySide's {@code beacon-block} run
 * (1,000,000 {@code track} calls, {@code QueueFullPolicy.block(30 s)}, the default
 * {@code HttpTransport}: gzip level 1, one request in flight) in a fresh child JVM with
 * SideBySide's flags, to the counting collector in this JVM. The child reads every thread's CPU
 * time ({@link ThreadMXBean}) and the process's when {@code flush()} has reported every message
 * delivered (before {@code close()}, while the client's threads are alive), and prints the CPU
 * of each thread group per delivered event and as a share of the process:
 *
 * <ul>
 *   <li>{@code producer}: the calling threads ({@code track()}: build, validate, copy, publish);
 *   <li>{@code consumer} ({@code beacon-N-1}, the first thread the engine makes): takes messages
 *       off the ring and serializes them into the batch ({@code Consumer}, {@code Assembler});
 *   <li>{@code dispatcher} ({@code beacon-N-2}, the engine's scheduler thread): each attempt runs
 *       there ({@code Dispatcher.attempt}), and so does {@code HttpTransport.send}, which gzips
 *       the body on the calling thread;
 *   <li>{@code http-io} ({@code beacon-N-transport-*}): HttpClient's IO reactor, socket writes and
 *       response parsing;
 *   <li>{@code other-java}: every other Java thread (main, JMX);
 *   <li>{@code vm}: the process less all Java threads: GC, JIT compilers and the VM's own threads,
 *       which {@link ThreadMXBean} does not list.
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar dev.beacon.bench.PipelineThreads [--events 1000000] [--producers 1]
 *     [--warmup 0] [--in-flight 1] [--jfr file.jfr]
 * </pre>
 *
 * <p>{@code --warmup N} first sends N calls through a client that is then closed, so the measured
 * client runs on compiled code; the default (0) matches SideBySide, whose runs start cold.
 * {@code --in-flight N} gives the client an {@code HttpTransport} with N requests in flight (a
 * diagnostic: with more than one, a user's events may arrive out of order). {@code --jfr} records the measured child with Flight Recorder ({@code settings=profile}).
 */
public final class PipelineThreads {
  private static final Pattern CONSUMER = Pattern.compile("beacon-\\d+-1");
  private static final Pattern DISPATCHER = Pattern.compile("beacon-\\d+-2");
  private static final Pattern HTTP_IO = Pattern.compile("beacon-\\d+-transport-\\d+");

  private PipelineThreads() {}

  /**
   * Runs the measurement in a child JVM (or, with {@code child} first, is that child).
   *
   * @param args see the class comment
   * @throws Exception when the run fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && "child".equals(args[0])) {
      child(URI.create(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
          Integer.parseInt(args[5]));
      return;
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    long events = Long.parseLong(o.getOrDefault("events", "1000000"));
    int producers = Integer.parseInt(o.getOrDefault("producers", "1"));
    long warmup = Long.parseLong(o.getOrDefault("warmup", "0"));
    int inFlight = Integer.parseInt(o.getOrDefault("in-flight", "1"));
    try (Receiver receiver = Collector.start()) {
      List<String> cmd = new ArrayList<>();
      cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
      cmd.addAll(SideBySide.CHILD_JVM);
      if (o.containsKey("jfr")) {
        cmd.add("-XX:StartFlightRecording=filename=" + new File(o.get("jfr")).getAbsolutePath() + ",settings=profile");
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PipelineThreads.class.getName(), "child",
          receiver.endpoint().toString(), Long.toString(events), Integer.toString(producers), Long.toString(warmup),
          Integer.toString(inFlight)));
      long cpu0 = SideBySide.processCpuNanos();
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          System.out.println(line);
        }
      }
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("the child run did not end within 300 s");
      }
      System.out.printf("collector JVM (this one) CPU over the child's life: %.2f s%n",
          (SideBySide.processCpuNanos() - cpu0) / 1e9);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("the child run failed (exit " + p.exitValue() + ")");
      }
    }
  }

  private static void child(URI endpoint, long events, int producers, long warmup, int inFlight)
      throws Exception {
    if (warmup > 0) {
      Analytics w = client(endpoint, inFlight);
      send(w, warmup, producers);
      w.close();
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> before = cpuByThread(mx);
    long process0 = SideBySide.processCpuNanos();
    Analytics a = client(endpoint, inFlight);
    long t0 = System.nanoTime();
    long producerCpu = send(a, events, producers);
    if (!a.flush(Duration.ofSeconds(120)).complete()) {
      throw new IllegalStateException("not delivered within 120 s: " + a.stats());
    }
    long wall = System.nanoTime() - t0;
    long process = SideBySide.processCpuNanos() - process0;
    Map<String, Long> groups = new LinkedHashMap<>();
    for (String g : List.of("producer", "consumer", "dispatcher", "http-io", "other-java")) {
      groups.put(g, 0L);
    }
    long javaThreads = 0;
    for (long id : mx.getAllThreadIds()) {
      var info = mx.getThreadInfo(id);
      long cpu = mx.getThreadCpuTime(id);
      if (info == null || cpu < 0 || info.getThreadName().startsWith("producer-")) {
        continue;
      }
      cpu -= before.getOrDefault(id, 0L);
      javaThreads += cpu;
      groups.merge(group(info.getThreadName()), cpu, Long::sum);
      if (cpu > 10_000_000L) {
        System.out.printf("  thread %-28s %8.3f s%n", info.getThreadName(), cpu / 1e9);
      }
    }
    // The producers have ended by now (ThreadMXBean no longer lists them): each added its own CPU.
    groups.put("producer", producerCpu);
    javaThreads += producerCpu;
    groups.put("vm", process - javaThreads);
    long delivered = a.stats().delivered();
    System.out.printf("%,d delivered in %.3f s: %,.0f events/s; process CPU %.3f s = %.2f µs/event, %.2f cores%n",
        delivered, wall / 1e9, delivered / (wall / 1e9), process / 1e9, process / 1e3 / delivered,
        (double) process / wall);
    System.out.println("| thread group | CPU s | µs / delivered event | share of process CPU | cores |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (Map.Entry<String, Long> e : groups.entrySet()) {
      System.out.printf("| %s | %.3f | %.3f | %.1f%% | %.2f |%n", e.getKey(), e.getValue() / 1e9,
          e.getValue() / 1e3 / delivered, 100.0 * e.getValue() / process, (double) e.getValue() / wall);
    }
    a.close();
  }

  private static String group(String name) {
    if (name.startsWith("producer-")) {
      return "producer";
    }
    if (CONSUMER.matcher(name).matches()) {
      return "consumer";
    }
    if (DISPATCHER.matcher(name).matches()) {
      return "dispatcher";
    }
    if (HTTP_IO.matcher(name).matches()) {
      return "http-io";
    }
    return "other-java";
  }

  private static Map<Long, Long> cpuByThread(ThreadMXBean mx) {
    Map<Long, Long> m = new LinkedHashMap<>();
    for (long id : mx.getAllThreadIds()) {
      m.put(id, Math.max(0, mx.getThreadCpuTime(id)));
    }
    return m;
  }

  private static Analytics client(URI endpoint, int inFlight) {
    Analytics.Builder b = Analytics.builder(SideBySide.WRITE_KEY).endpoint(endpoint).shutdownHook(false)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30)));
    if (inFlight != HttpTransport.DEFAULT_MAX_CONCURRENT_REQUESTS) {
      // A diagnostic, not a recommendation: more than one request in flight gives up per-user order.
      b.transport(HttpTransport.builder(SideBySide.WRITE_KEY).endpoint(endpoint).maxConcurrentRequests(inFlight)
          .build());
    }
    return b.build();
  }

  /**
   * {@code events} calls split over {@code producers} threads named {@code producer-N}; waits for
   * them.
   *
   * @return the producers' CPU time, each read by the thread itself before it ends
   */
  private static long send(Analytics a, long events, int producers) throws InterruptedException {
    long per = events / producers;
    AtomicLong cpu = new AtomicLong();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < producers; t++) {
      int base = (int) (t * per);
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (long i = base; i < base + per; i++) {
          a.track(Workload.userId((int) i), Workload.EVENT, Workload.PROPERTIES);
        }
        cpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
      }, "producer-" + t);
      th.start();
      threads.add(th);
    }
    go.countDown();
    for (Thread th : threads) {
      th.join();
    }
    return cpu.get();
  }
}
