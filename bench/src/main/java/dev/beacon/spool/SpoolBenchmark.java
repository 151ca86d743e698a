package dev.beacon.spool;

import dev.beacon.Analytics;
import dev.beacon.QueueFullPolicy;
import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.bench.Transports;
import dev.beacon.bench.Workload;
import dev.beacon.spi.Spool;
import dev.beacon.spi.SpoolContext;
import dev.beacon.spi.SpoolProvider;
import dev.beacon.spi.Transport;
import dev.beacon.testkit.CollectorServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The disk spool (Chronicle Queue, through the public SPI), in three questions:
 *
 * <ul>
 *   <li>{@code append}: raw appends of {@value #RECORD_BYTES}-byte records with a {@code commit()}
 *       every {@value #GROUP} records, for {@code PROCESS_CRASH} (memory-mapped write) and
 *       {@code OS_CRASH} (an {@code msync} per commit). Records per second.
 *   <li>{@code deviceSync}: the device alone, a small write and an {@code fdatasync} per operation:
 *       the most calls per second one {@code OS_CRASH} caller can make on this disk.
 *   <li>{@code replay}: reading back {@value #REPLAY_RECORDS} records from a reopened spool (what a
 *       restart or the spool sender does). Records per second.
 *   <li>{@code endToEnd}: {@value #MESSAGES} {@code track} calls per invocation from 1 or 4
 *       producers through {@link Analytics} with the spool off ({@code memory}) or on in each
 *       durability mode, to a transport that completes at once ({@code instant}) or the real HTTP
 *       transport to the testkit's collector in counting mode ({@code http}); the invocation ends
 *       when {@code flush()} reports every message delivered. Messages per second delivered. The
 *       report divides each spool mode by the {@code memory} row of the same run.
 *   <li>{@code overload}: {@value #OVERLOAD_MESSAGES} {@code track} calls per invocation from 4
 *       producers through a {@code PROCESS_CRASH} spool with {@code QueueFullPolicy.block}.
 *       {@code api=slow}: a slow API of fixed capacity ({@link Transports#slow}:
 *       {@value #API_CONCURRENCY} batches of {@value #API_BATCH} in flight, each answered after
 *       {@value #API_LATENCY_MICROS}&nbsp;&micro;s) and a spool of {@value #OVERLOAD_SPOOL_BYTES}
 *       bytes; {@code paced}: the producers together offer the API's capacity (just fast enough),
 *       {@code overload}: they call as fast as the client accepts, so the spool fills and stays
 *       full. {@code api=http}: the real HTTP transport to the collector in counting mode (whose
 *       capacity is what the machine gives it); {@code paced}: a spool too large to fill (producers
 *       are never held back), {@code overload}: the {@value #OVERLOAD_SPOOL_BYTES}-byte spool,
 *       which the producers fill. A refused call is made again at once (as an application that
 *       must not lose it would), counted in the {@code refused} counter. Messages per second
 *       delivered: under overload the spool should deliver what it delivers otherwise.
 * </ul>
 *
 * <p>Every trial gets its own temporary directory, deleted at tear-down. Forks carry Chronicle's
 * JVM flags (the root pom's {@code chronicle.jvm.flags}, JDK 17 set) and its quiet properties.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Dsun.net.httpserver.nodelay=true",
    // root pom: chronicle.jvm.flags (JDK 17; JDK 24+ would add --enable-native-access and
    // --sun-misc-unsafe-memory-access=allow)
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    // root pom: chronicle.system.properties
    "-Dchronicle.analytics.disable=true", "-Dchronicle.announcer.disable=true", "-Ddisable.perf.info=true",
    "-Dchronicle.disk.monitor.disable=true"})
public class SpoolBenchmark {
  static final int RECORD_BYTES = 500;
  static final int DEVICE_RECORD_BYTES = 300;
  static final int GROUP = 100;
  static final int REPLAY_RECORDS = 100_000;
  static final int MESSAGES = 50_000;
  static final long MAX_BYTES = 64L << 30;
  static final int OVERLOAD_MESSAGES = 60_000;
  static final long OVERLOAD_SPOOL_BYTES = 8L << 20;
  static final int API_CONCURRENCY = 2;
  static final int API_BATCH = 100;
  static final int API_LATENCY_MICROS = 4_000;
  /** The slow API's capacity in messages per second. */
  static final double API_CAPACITY = API_CONCURRENCY * API_BATCH * 1e6 / API_LATENCY_MICROS;
  static final int OVERLOAD_PRODUCERS = 4;
  private static final String KEY = "bench-write-key";

  static SpoolProvider chronicle() {
    for (SpoolProvider p : ServiceLoader.load(SpoolProvider.class)) {
      if ("chronicle".equals(p.name())) {
        return p;
      }
    }
    throw new IllegalStateException("no SpoolProvider named chronicle on the class path");
  }

  static byte[] record() {
    byte[] json = Workload.track(0).toString().getBytes(StandardCharsets.UTF_8);
    byte[] r = new byte[RECORD_BYTES];
    for (int i = 0; i < r.length; i++) {
      r[i] = json[i % json.length];
    }
    return r;
  }

  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An open spool in a fresh directory per iteration (so the journal on disk stays small). */
  @State(Scope.Thread)
  public static class Append {
    /** What a commit guarantees. */
    @Param({"PROCESS_CRASH", "OS_CRASH"})
    public SpoolDurability durability;

    Path root;
    Spool spool;
    final byte[] record = record();
    private SpoolProvider provider;
    private int iteration;

    @Setup(Level.Trial)
    public void trial() throws IOException {
      root = Files.createTempDirectory("beacon-spool-append-");
      provider = chronicle();
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
      spool = provider.open(new SpoolContext(root.resolve("it-" + iteration++), MAX_BYTES, durability));
    }

    @TearDown(Level.Iteration)
    public void close() {
      spool.close();
      delete(root.resolve("it-" + (iteration - 1)));
    }

    @TearDown(Level.Trial)
    public void clean() {
      delete(root);
    }
  }

  /** {@value #REPLAY_RECORDS} records written once per trial; the spool is reopened per invocation. */
  @State(Scope.Thread)
  public static class Replay {
    Path dir;
    Spool spool;
    long bytes;
    private SpoolProvider provider;

    @Setup(Level.Trial)
    public void fill() throws IOException {
      dir = Files.createTempDirectory("beacon-spool-replay-");
      provider = chronicle();
      byte[] r = record();
      try (Spool s = provider.open(new SpoolContext(dir, MAX_BYTES, SpoolDurability.PROCESS_CRASH))) {
        for (int i = 0; i < REPLAY_RECORDS; i++) {
          s.append(r, 0, r.length);
          if ((i + 1) % GROUP == 0) {
            s.commit();
          }
        }
        s.commit();
      }
    }

    @Setup(Level.Invocation)
    public void open() throws IOException {
      spool = provider.open(new SpoolContext(dir, MAX_BYTES, SpoolDurability.PROCESS_CRASH));
    }

    @TearDown(Level.Invocation)
    public void close() {
      spool.close();
    }

    @TearDown(Level.Trial)
    public void clean() {
      delete(dir);
    }
  }

  /** A fresh file per iteration for {@link #deviceSync}. */
  @State(Scope.Thread)
  public static class Device {
    Path dir;
    FileChannel channel;
    long position;
    final ByteBuffer record = ByteBuffer.allocateDirect(DEVICE_RECORD_BYTES);

    @Setup(Level.Iteration)
    public void open() throws IOException {
      dir = Files.createTempDirectory("beacon-spool-device-");
      channel = FileChannel.open(dir.resolve("sync"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      position = 0;
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
      channel.close();
      delete(dir);
    }
  }

  /** A client with the spool off or on, and its producers. */
  @State(Scope.Benchmark)
  public static class EndToEnd {
    /** {@code memory}: no spool; otherwise the spool's durability. */
    @Param({"memory", "PROCESS_CRASH", "BUFFERED", "OS_CRASH"})
    public String mode;

    /** Producer threads. */
    @Param({"1", "4"})
    public int producers;

    /** {@code instant}: a transport that completes at once; {@code http}: HttpTransport to the collector. */
    @Param({"instant", "http"})
    public String transport;

    Path dir;
    Analytics analytics;
    ExecutorService pool;
    CollectorServer collector;

    @Setup(Level.Trial)
    public void start() throws IOException {
      dir = Files.createTempDirectory("beacon-spool-e2e-");
      Analytics.Builder b = Analytics.builder(KEY)
          .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30)))
          .shutdownHook(false);
      if ("http".equals(transport)) {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        collector = CollectorServer.builder().writeKey(KEY).countOnly(true).build().start();
        b.endpoint(collector.uri());
      } else {
        b.transport(Transports.instant());
      }
      if (!"memory".equals(mode)) {
        b.spoolDirectory(dir.resolve("spool")).spoolDurability(SpoolDurability.valueOf(mode));
      }
      analytics = b.build();
      if (!"memory".equals(mode) && analytics.stats().spoolDegraded()) {
        throw new IllegalStateException("the spool did not open: " + analytics.stats());
      }
      pool = Executors.newFixedThreadPool(producers);
    }

    @TearDown(Level.Trial)
    public void stop() {
      pool.shutdownNow();
      analytics.close(Duration.ofSeconds(10));
      if (collector != null) {
        collector.close();
      }
      delete(dir);
    }
  }

  /** A client on a small spool with the block policy, and a slow API, for {@link #overload}. */
  @State(Scope.Benchmark)
  public static class Overload {
    /** {@code paced}: producers offer the API's capacity; {@code overload}: as fast as accepted. */
    @Param({"paced", "overload"})
    public String load;

    /** {@code slow}: a fixed-capacity API; {@code http}: HttpTransport to the collector. */
    @Param({"slow", "http"})
    public String api;

    Path dir;
    Analytics analytics;
    ExecutorService pool;
    Transport slowApi;
    CollectorServer collector;

    @Setup(Level.Trial)
    public void start() throws IOException {
      dir = Files.createTempDirectory("beacon-spool-overload-");
      Analytics.Builder b = Analytics.builder(KEY).shutdownHook(false)
          .spoolDirectory(dir.resolve("spool")).spoolDurability(SpoolDurability.PROCESS_CRASH)
          .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30)));
      if ("http".equals(api)) {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        collector = CollectorServer.builder().writeKey(KEY).countOnly(true).build().start();
        b.endpoint(collector.uri()).maxSpoolBytes("paced".equals(load) ? 1L << 30 : OVERLOAD_SPOOL_BYTES);
      } else {
        slowApi = Transports.slow(API_CONCURRENCY, Duration.ofNanos(API_LATENCY_MICROS * 1000L));
        b.transport(slowApi).maxSpoolBytes(OVERLOAD_SPOOL_BYTES)
            .flushAt(API_BATCH).maxBatchMessages(API_BATCH).flushInterval(Duration.ofMillis(5));
      }
      analytics = b.build();
      if (analytics.stats().spoolDegraded()) {
        throw new IllegalStateException("the spool did not open: " + analytics.stats());
      }
      pool = Executors.newFixedThreadPool(OVERLOAD_PRODUCERS);
    }

    @TearDown(Level.Trial)
    public void stop() {
      pool.shutdownNow();
      analytics.close(Duration.ofSeconds(10));
      if (slowApi != null) {
        slowApi.close();
      }
      if (collector != null) {
        collector.close();
      }
      delete(dir);
    }
  }

  /** Calls refused (and made again) during {@link #overload}, per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Refusals {
    /** Refused calls. */
    public long refused;

    @Setup(Level.Iteration)
    public void reset() {
      refused = 0;
    }
  }

  /** A client for {@link #trackLatency}: spool off, or {@code PROCESS_CRASH}; instant transport. */
  @State(Scope.Benchmark)
  public static class Latency {
    /** {@code memory}: no spool; {@code PROCESS_CRASH}: the default spool. */
    @Param({"memory", "PROCESS_CRASH"})
    public String mode;

    Path dir;
    Analytics analytics;
    int i;

    @Setup(Level.Trial)
    public void start() throws IOException {
      dir = Files.createTempDirectory("beacon-spool-latency-");
      Analytics.Builder b = Analytics.builder(KEY).transport(Transports.instant())
          .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30))).shutdownHook(false);
      if (!"memory".equals(mode)) {
        b.spoolDirectory(dir.resolve("spool")).spoolDurability(SpoolDurability.valueOf(mode)).maxSpoolBytes(MAX_BYTES);
      }
      analytics = b.build();
      if (!"memory".equals(mode) && analytics.stats().spoolDegraded()) {
        throw new IllegalStateException("the spool did not open: " + analytics.stats());
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      Stats s = analytics.stats();
      analytics.close(Duration.ofSeconds(10));
      delete(dir);
      if (s.dropped() > 0) {
        throw new IllegalStateException("calls were refused, the latencies would be wrong: " + s);
      }
    }
  }

  /**
   * One {@code track()} call, as latency percentiles (SampleTime): what a caller waits for with
   * the spool on ({@code PROCESS_CRASH}: its own append to the journal) beside memory-only.
   *
   * @param s the client
   * @return whether the call was accepted
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  public boolean trackLatency(Latency s) {
    return s.analytics.track(Workload.userId(s.i++), Workload.EVENT, Workload.PROPERTIES);
  }

  /**
   * The device's own ceiling for a caller that waits for a sync on every call: one
   * {@value #DEVICE_RECORD_BYTES}-byte write to the end of a file, then {@code fdatasync}
   * ({@code FileChannel.force(false)}), what one {@code OS_CRASH} caller on its own needs per call. No
   * Beacon code runs here: it is the baseline the {@code OS_CRASH} rows are read against.
   *
   * @param d the file
   * @return the file's length, so the work is not dead code
   */
  @Benchmark
  public long deviceSync(Device d) throws IOException {
    d.record.clear();
    d.channel.write(d.record, d.position);
    d.position += DEVICE_RECORD_BYTES;
    d.channel.force(false);
    return d.position;
  }

  /**
   * Appends {@value #GROUP} records and commits them.
   *
   * @param s the open spool
   * @return the spool's backlog, so the work is not dead code
   */
  @Benchmark
  @OperationsPerInvocation(GROUP)
  public long append(Append s) throws IOException {
    for (int i = 0; i < GROUP; i++) {
      s.spool.append(s.record, 0, s.record.length);
    }
    s.spool.commit();
    return s.spool.pendingBytes();
  }

  /**
   * Reads every record of a reopened spool.
   *
   * @param s the spool
   * @return bytes read
   */
  @Benchmark
  @OperationsPerInvocation(REPLAY_RECORDS)
  public long replay(Replay s) throws IOException {
    long[] sum = new long[2];
    Spool.RecordHandler h = (position, bytes, offset, length) -> {
      sum[0]++;
      sum[1] += length + bytes[offset];
    };
    while (s.spool.read(h)) {
      // counted in the handler
    }
    if (sum[0] != REPLAY_RECORDS) {
      throw new IllegalStateException("read " + sum[0] + " of " + REPLAY_RECORDS + " records");
    }
    return sum[1];
  }

  /**
   * Delivers {@value #OVERLOAD_MESSAGES} {@code track} calls through a small spool to a slow API,
   * paced to the API's capacity or as fast as the client accepts (see the class comment).
   *
   * @param s the client
   * @param r refusal counter
   * @return messages delivered
   */
  @Benchmark
  @OperationsPerInvocation(OVERLOAD_MESSAGES)
  public long overload(Overload s, Refusals r) throws InterruptedException, ExecutionException {
    long delivered0 = s.analytics.stats().delivered();
    int per = OVERLOAD_MESSAGES / OVERLOAD_PRODUCERS;
    boolean paced = "paced".equals(s.load) && "slow".equals(s.api);
    long intervalNanos = (long) (OVERLOAD_PRODUCERS * 1e9 / API_CAPACITY);
    List<Future<Long>> done = new ArrayList<>(OVERLOAD_PRODUCERS);
    for (int t = 0; t < OVERLOAD_PRODUCERS; t++) {
      int base = t * per;
      done.add(s.pool.submit(() -> {
        long refused = 0;
        long next = System.nanoTime();
        for (int i = base; i < base + per; i++) {
          if (paced) {
            next += intervalNanos;
            for (long wait; (wait = next - System.nanoTime()) > 0; ) {
              LockSupport.parkNanos(wait);
            }
          }
          while (!s.analytics.track(Workload.userId(i), Workload.EVENT, Workload.PROPERTIES)) {
            refused++;
          }
        }
        return refused;
      }));
    }
    for (Future<Long> f : done) {
      r.refused += f.get();
    }
    if (!s.analytics.flush(Duration.ofSeconds(60)).complete()) {
      throw new IllegalStateException("not delivered within 60 s: " + s.analytics.stats());
    }
    long delivered = s.analytics.stats().delivered() - delivered0;
    if (delivered < OVERLOAD_MESSAGES) {
      throw new IllegalStateException("delivered " + delivered + " of " + OVERLOAD_MESSAGES + ": " + s.analytics.stats());
    }
    return delivered;
  }

  /**
   * Delivers {@value #MESSAGES} {@code track} calls.
   *
   * @param s the client
   * @return messages delivered
   */
  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public long endToEnd(EndToEnd s) throws InterruptedException, ExecutionException {
    long delivered0 = s.analytics.stats().delivered();
    int per = MESSAGES / s.producers;
    List<Future<Integer>> done = new ArrayList<>(s.producers);
    for (int t = 0; t < s.producers; t++) {
      int base = t * per;
      done.add(s.pool.submit(() -> {
        int ok = 0;
        for (int i = base; i < base + per; i++) {
          ok += s.analytics.track(Workload.userId(i), Workload.EVENT, Workload.PROPERTIES) ? 1 : 0;
        }
        return ok;
      }));
    }
    long accepted = 0;
    for (Future<Integer> f : done) {
      accepted += f.get();
    }
    if (accepted != (long) per * s.producers) {
      throw new IllegalStateException("accepted " + accepted + " of " + per * s.producers + ": " + s.analytics.stats());
    }
    if (!s.analytics.flush(Duration.ofSeconds(60)).complete()) {
      throw new IllegalStateException("not delivered within 60 s: " + s.analytics.stats());
    }
    long delivered = s.analytics.stats().delivered() - delivered0;
    if (delivered < accepted) {
      throw new IllegalStateException("delivered " + delivered + " of " + accepted + ": " + s.analytics.stats());
    }
    return delivered;
  }
}
