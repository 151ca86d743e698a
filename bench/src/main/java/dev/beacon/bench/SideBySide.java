package dev.beacon.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.segment.analytics.messages.TrackMessage;
import dev.beacon.Analytics;
import dev.beacon.QueueFullPolicy;
import dev.beacon.spi.Transport;
import dev.beacon.spi.TransportContext;
import dev.beacon.spi.TransportProvider;
import dev.beacon.transport.http.HttpTransport;
import dev.beacon.transport.http.libdeflate.LibdeflateGzipCompressorProvider;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;

/**
 * Beacon side by side with Segment's analytics-java 3.5.4: the same {@code track} calls (one
 * event name, five properties, 1,024 users) from 1 and 4 producer threads, to the same loopback
 * collector, each run in a fresh JVM with the same flags. Whole runs, so not JMH.
 *
 * <p>Per run: enqueue calls/s (calls over the time until every producer returned), accepted calls,
 * events the collector had acknowledged (2xx) when {@code close()} / {@code shutdown()} returned
 * (counted by the client: analytics-java's success callback, Beacon's {@code stats().delivered()}),
 * delivered events/s (those events over the time from the first call until close returned),
 * peak heap in use, process CPU per delivered event, and the collector's CPU over the run.
 *
 * <p>Clients: {@code analytics-java} with its default OkHttp client (TCP_NODELAY off),
 * {@code analytics-java-nodelay} with an OkHttp client whose sockets set TCP_NODELAY (passed
 * through the public {@code Builder#client}), {@code beacon} with its defaults (drop newest when
 * the 10,000-message queue is full), and {@code beacon-block} with
 * {@code QueueFullPolicy.block(30 s)} so that, like analytics-java's unbounded queue, it accepts
 * every call. Everything else is each library's default. These two gzip with the JDK's
 * {@code Deflater} (chosen explicitly: what Beacon does without its optional compression module);
 * {@code beacon-block-libdeflate} is {@code beacon-block} with
 * {@code dev.beacon:beacon-compression-libdeflate}'s compressor (issue 23 §1), and fails the run if
 * libdeflate could not start rather than measure the JDK's compressor under its name.
 *
 * <pre>
 * java -cp benchmarks.jar dev.beacon.bench.SideBySide [--events 1000000] [--threads 1,4] [--reps 3]
 *     [--clients analytics-java,analytics-java-nodelay,beacon,beacon-block,beacon-block-libdeflate]
 *     [--out side-by-side.json]
 *     [--in-process]
 * </pre>
 */
public final class SideBySide {
  /** The client configurations compared. */
  public static final List<String> CLIENTS =
      List.of("analytics-java", "analytics-java-nodelay", "beacon", "beacon-block", "beacon-block-libdeflate");
  /** The write key both clients use and the collector checks. */
  static final String WRITE_KEY = "bench-write-key";
  /** JVM flags of every child run. */
  public static final List<String> CHILD_JVM =
      List.of("-Xms64m", "-Xmx3g", "-XX:+UseG1GC", "-Dsun.net.httpserver.nodelay=true",
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

  /** One run's measurements. */
  public record Run(String client, int threads, long events, long accepted, double enqueueSeconds,
      double enqueuePerSecond, double closeSeconds, long arrivedAtClose, double deliveredPerSecond,
      long peakHeapBytes, long peakHeapAfterGcBytes, long heapBeforeBytes, long cpuNanos,
      double cpuMicrosPerDelivered, long receiverCpuNanos, long collectorRequests) {}

  /** Median and range of one configuration over its runs. */
  public record Summary(String client, int threads, int runs, Map<String, double[]> metrics) {}

  /** Everything one invocation measured. */
  public record Results(String javaVersion, String vm, List<String> childJvmFlags, long events,
      List<Run> runs, List<Summary> summaries) {}

  private SideBySide() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && "child".equals(args[0])) {
      child(args);
      return;
    }
    Map<String, String> o = options(args);
    long events = Long.parseLong(o.getOrDefault("events", "1000000"));
    int[] threads = Arrays.stream(o.getOrDefault("threads", "1,4").split(",")).mapToInt(Integer::parseInt).toArray();
    int reps = Integer.parseInt(o.getOrDefault("reps", "3"));
    List<String> clients = List.of(o.getOrDefault("clients", String.join(",", CLIENTS)).split(","));
    File out = new File(o.getOrDefault("out", "side-by-side.json"));
    Results r = run(events, threads, reps, clients, o.containsKey("in-process"));
    write(r, out);
    if (o.containsKey("profile") && clients.contains(o.getOrDefault("profile-client", "beacon-block"))) {
      // One more run, not counted, with Flight Recorder on: where does Beacon's time go?
      File jfr = new File(o.get("profile")).getAbsoluteFile();
      try (Receiver receiver = Collector.start()) {
        Run p = fork(o.getOrDefault("profile-client", "beacon-block"), 1, events, receiver.endpoint(),
            List.of("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile"));
        System.out.println("profiled run (not counted): " + p + " -> " + jfr);
      }
    }
    for (Summary s : r.summaries()) {
      System.out.printf("%-24s %d thread(s): enqueue %,.0f/s  delivered %,.0f/s  arrived at close %,.0f of %,.0f"
              + "  peak heap %,.0f MB  CPU %.2f us/event%n",
          s.client(), s.threads(), s.metrics().get("enqueuePerSecond")[0], s.metrics().get("deliveredPerSecond")[0],
          s.metrics().get("arrivedAtClose")[0], s.metrics().get("accepted")[0],
          s.metrics().get("peakHeapBytes")[0] / 1e6, s.metrics().get("cpuMicrosPerDelivered")[0]);
    }
    System.out.println("wrote " + out);
  }

  /**
   * Runs every configuration {@code reps} times, interleaved so that machine noise spreads evenly.
   *
   * @param events calls per run
   * @param threads producer thread counts
   * @param reps repetitions
   * @param clients client configurations from {@link #CLIENTS}
   * @param inProcess run in this JVM (the smoke test), not in fresh child JVMs
   * @return every run and the medians
   */
  public static Results run(long events, int[] threads, int reps, List<String> clients, boolean inProcess)
      throws Exception {
    List<Run> runs = new ArrayList<>();
    try (Receiver receiver = Collector.start()) {
      for (int rep = 0; rep < reps; rep++) {
        for (int t : threads) {
          for (String client : clients) {
            quiesce(receiver);
            long requests0 = receiver.requests();
            long cpu0 = processCpuNanos();
            Run run = inProcess
                ? measure(client, t, events, receiver.endpoint())
                : fork(client, t, events, receiver.endpoint(), List.of());
            // In a child run this JVM only receives; in-process the two cannot be told apart.
            long receiverCpu = inProcess ? -1 : processCpuNanos() - cpu0;
            run = withReceiver(run, receiverCpu, receiver.requests() - requests0);
            runs.add(run);
            System.out.printf("rep %d: %s%n", rep + 1, run);
          }
        }
      }
    }
    return new Results(System.getProperty("java.version"), System.getProperty("java.vm.name"), CHILD_JVM, events,
        runs, summarize(runs));
  }

  /** Lets stragglers from a previous run (analytics-java keeps sending after shutdown) land. */
  private static void quiesce(Receiver receiver) throws InterruptedException {
    long last = -1;
    while (receiver.requests() != last) {
      last = receiver.requests();
      Thread.sleep(200);
    }
  }

  private static Run withReceiver(Run r, long cpu, long requests) {
    return new Run(r.client(), r.threads(), r.events(), r.accepted(), r.enqueueSeconds(), r.enqueuePerSecond(),
        r.closeSeconds(), r.arrivedAtClose(), r.deliveredPerSecond(), r.peakHeapBytes(), r.peakHeapAfterGcBytes(),
        r.heapBeforeBytes(), r.cpuNanos(), r.cpuMicrosPerDelivered(), cpu, requests);
  }

  private static Run fork(String client, int threads, long events, URI endpoint, List<String> extraJvm)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    cmd.addAll(CHILD_JVM);
    cmd.addAll(extraJvm);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SideBySide.class.getName());
    cmd.addAll(List.of("child", client, Integer.toString(threads), Long.toString(events), endpoint.toString()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String result = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          result = line.substring(7);
        }
      }
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    if (result == null) {
      throw new IllegalStateException(client + " child run failed (exit " + p.exitValue() + ")");
    }
    return new ObjectMapper().readValue(result, Run.class);
  }

  private static void child(String[] args) throws Exception {
    Run r = measure(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), URI.create(args[4]));
    System.out.println("RESULT " + new ObjectMapper().writeValueAsString(r));
    System.out.flush();
    // analytics-java's network thread may still be sending: stop it here, after the measurement.
    System.exit(0);
  }

  /** One run in this JVM: build the client, make the calls, close, read the collector. */
  static Run measure(String client, int threads, long events, URI endpoint) throws Exception {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Sender sender = sender(client, endpoint);
    System.gc();
    long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    try (HeapPeak heap = new HeapPeak()) {
      long per = events / threads;
      AtomicLong accepted = new AtomicLong();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> producers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = (int) (t * per);
        Thread th = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          long ok = 0;
          for (int i = base; i < base + per; i++) {
            ok += sender.track(i) ? 1 : 0;
          }
          accepted.addAndGet(ok);
        }, "producer-" + t);
        th.start();
        producers.add(th);
      }
      long cpu0 = os.getProcessCpuTime();
      // The clock starts with the first call; building the client is not counted.
      long t0 = System.nanoTime();
      go.countDown();
      for (Thread th : producers) {
        th.join();
      }
      long t1 = System.nanoTime();
      sender.close();
      long t2 = System.nanoTime();
      long got = sender.delivered();
      long cpu = os.getProcessCpuTime() - cpu0;
      long total = per * threads;
      double enq = (t1 - t0) / 1e9;
      double all = (t2 - t0) / 1e9;
      return new Run(client, threads, total, accepted.get(), enq, total / enq, (t2 - t1) / 1e9, got,
          got / all, heap.peakBytes(), heap.peakAfterGcBytes(), heapBefore, cpu, got == 0 ? 0 : cpu / 1e3 / got, -1, -1);
    }
  }

  /** One library behind the same two calls. */
  interface Sender {
    boolean track(int i);

    void close();

    /** Events the collector acknowledged with a 2xx so far. */
    long delivered();
  }

  static Sender sender(String client, URI endpoint) {
    switch (client) {
      case "analytics-java":
      case "analytics-java-nodelay": {
        AtomicLong acked = new AtomicLong();
        // Segment's /v1/import (analytics-java's default path) is the legacy alias of /v1/batch,
        // the path the collector serves; the request bodies are the same.
        com.segment.analytics.Analytics.Builder b = com.segment.analytics.Analytics.builder(WRITE_KEY)
            .setUploadURL(endpoint + "/v1/batch")
            .callback(new com.segment.analytics.Callback() {
              @Override
              public void success(com.segment.analytics.messages.Message message) {
                acked.incrementAndGet();
              }

              @Override
              public void failure(com.segment.analytics.messages.Message message, Throwable throwable) {
                // not delivered: not counted
              }
            });
        // analytics-java's default client (Platform.defaultClient: 15 s timeouts), plus one header:
        // analytics-java 3.5.4 authenticates with the writeKey in the body only, which the
        // collector's counting mode (it does not parse bodies) cannot see, so the same key also
        // goes in an Authorization header, as Segment's API accepts and Beacon sends.
        String basic = "Basic " + java.util.Base64.getEncoder()
            .encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8));
        OkHttpClient.Builder http = new OkHttpClient.Builder()
            .connectTimeout(15, TimeUnit.SECONDS)
            .readTimeout(15, TimeUnit.SECONDS)
            .writeTimeout(15, TimeUnit.SECONDS)
            .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("Authorization", basic).build()));
        if (client.endsWith("nodelay")) {
          // The only other difference: sockets with TCP_NODELAY.
          http.socketFactory(new NoDelaySocketFactory());
        }
        b.client(http.build());
        com.segment.analytics.Analytics aj = b.build();
        return new Sender() {
          @Override
          public boolean track(int i) {
            aj.enqueue(TrackMessage.builder(Workload.EVENT).userId(Workload.userId(i)).properties(Workload.PROPERTIES));
            return true;
          }

          @Override
          public void close() {
            aj.shutdown();
          }

          @Override
          public long delivered() {
            return acked.get();
          }
        };
      }
      case "beacon":
      case "beacon-block":
      case "beacon-block-libdeflate": {
        boolean libdeflate = client.endsWith("libdeflate");
        HttpCompressorChoice http = new HttpCompressorChoice(libdeflate);
        Analytics.Builder b = Analytics.builder(WRITE_KEY).endpoint(endpoint).shutdownHook(false)
            .transportProvider(http);
        if (client.contains("block")) {
          b.queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30)));
        }
        Analytics beacon = b.build();
        String used = http.created == null ? null : http.created.gzipCompressor();
        String want = libdeflate ? LibdeflateGzipCompressorProvider.NAME : "jdk";
        if (!want.equals(used)) {
          beacon.close();
          throw new IllegalStateException(client + " compresses with '" + used + "', not '" + want + "'");
        }
        return new Sender() {
          @Override
          public boolean track(int i) {
            return beacon.track(Workload.userId(i), Workload.EVENT, Workload.PROPERTIES);
          }

          @Override
          public void close() {
            beacon.close();
          }

          @Override
          public long delivered() {
            return beacon.stats().delivered();
          }
        };
      }
      default:
        throw new IllegalArgumentException("unknown client '" + client + "'; one of " + CLIENTS);
    }
  }

  /**
   * Beacon's own HTTP provider (the client's context: endpoint, thread factory, user agent) with
   * the gzip compressor chosen explicitly, so each client's name says what it measures whatever
   * ServiceLoader would find on the class path.
   */
  static final class HttpCompressorChoice implements TransportProvider {
    private final boolean libdeflate;
    volatile HttpTransport created;

    HttpCompressorChoice(boolean libdeflate) {
      this.libdeflate = libdeflate;
    }

    @Override
    public String name() {
      return "http";
    }

    @Override
    public Transport create(TransportContext context) {
      HttpTransport.Builder b = HttpTransport.builder(context);
      if (libdeflate) {
        b.gzipCompressor(new LibdeflateGzipCompressorProvider());
      } else {
        b.gzipCompressor("jdk");
      }
      HttpTransport t = b.build();
      created = t;
      return t;
    }
  }

  static List<Summary> summarize(List<Run> runs) {
    Map<String, List<Run>> groups = new LinkedHashMap<>();
    for (Run r : runs) {
      groups.computeIfAbsent(r.client() + "/" + r.threads(), k -> new ArrayList<>()).add(r);
    }
    List<Summary> out = new ArrayList<>();
    for (List<Run> g : groups.values()) {
      Map<String, double[]> m = new LinkedHashMap<>();
      m.put("enqueuePerSecond", stats(g, Run::enqueuePerSecond));
      m.put("accepted", stats(g, r -> r.accepted()));
      m.put("deliveredPerSecond", stats(g, Run::deliveredPerSecond));
      m.put("arrivedAtClose", stats(g, r -> r.arrivedAtClose()));
      m.put("arrivedFraction", stats(g, r -> r.accepted() == 0 ? 0 : (double) r.arrivedAtClose() / r.accepted()));
      m.put("closeSeconds", stats(g, Run::closeSeconds));
      m.put("peakHeapBytes", stats(g, r -> r.peakHeapBytes()));
      m.put("peakHeapAfterGcBytes", stats(g, r -> r.peakHeapAfterGcBytes()));
      m.put("cpuMicrosPerDelivered", stats(g, Run::cpuMicrosPerDelivered));
      m.put("receiverCpuSeconds", stats(g, r -> r.receiverCpuNanos() / 1e9));
      m.put("collectorRequests", stats(g, r -> r.collectorRequests()));
      out.add(new Summary(g.get(0).client(), g.get(0).threads(), g.size(), m));
    }
    out.sort(Comparator.comparing(Summary::threads).thenComparing(s -> CLIENTS.indexOf(s.client())));
    return out;
  }

  /** {median, min, max}. */
  private static double[] stats(List<Run> g, java.util.function.ToDoubleFunction<Run> f) {
    double[] v = g.stream().mapToDouble(f).sorted().toArray();
    int n = v.length;
    double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return new double[] {median, v[0], v[n - 1]};
  }

  static void write(Results r, File out) throws IOException {
    File dir = out.getAbsoluteFile().getParentFile();
    if (dir != null) {
      dir.mkdirs();
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, r);
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String key = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        o.put(key, args[++i]);
      } else {
        o.put(key, "true");
      }
    }
    return o;
  }
}
