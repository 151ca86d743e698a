package dev.beacon.transport.http;

import dev.beacon.Analytics;
import dev.beacon.QueueFullPolicy;
import dev.beacon.bench.Workload;
import dev.beacon.testkit.CollectorServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * End to end: {@value #MESSAGES} {@code track} calls per invocation from 1 or 4 producers, through
 * Beacon's engine and the real {@link HttpTransport} (found with ServiceLoader, its defaults: gzip
 * level 1, one request in flight), to the testkit's {@link CollectorServer} on 127.0.0.1 in
 * counting mode (it reads and counts bodies without parsing them, so it is not the bottleneck).
 * Calls block when the queue is full, so nothing is dropped; an invocation ends when
 * {@code flush()} reports every message delivered (acknowledged with a 2xx). The score is
 * delivered messages per second; {@code collectorCpuNanos} is the collector threads' CPU time per
 * second (divide by the score for CPU per message) and {@code requests} the requests per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Dsun.net.httpserver.nodelay=true"})
@State(Scope.Benchmark)
public class EndToEndBenchmark {
  static final int MESSAGES = 50_000;
  private static final String KEY = "bench-write-key";

  /** Producer threads. */
  @Param({"1", "4"})
  public int producers;

  private CollectorServer collector;
  private Analytics analytics;
  private ExecutorService pool;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  /** The collector's cost, reported per second next to the score. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Receiver {
    public long collectorCpuNanos;
    public long requests;

    @Setup(Level.Iteration)
    public void reset() {
      collectorCpuNanos = 0;
      requests = 0;
    }
  }

  @Setup(Level.Trial)
  public void start() {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    collector = CollectorServer.builder().writeKey(KEY).countOnly(true).build().start();
    analytics = Analytics.builder(KEY)
        .endpoint(collector.uri())
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30)))
        .shutdownHook(false)
        .build();
    pool = Executors.newFixedThreadPool(producers);
  }

  @TearDown(Level.Trial)
  public void stop() {
    pool.shutdownNow();
    analytics.close(Duration.ofSeconds(10));
    collector.close();
  }

  private long collectorCpu() {
    long sum = 0;
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && t.getThreadName().startsWith("collector-")) {
        long cpu = threads.getThreadCpuTime(t.getThreadId());
        sum += Math.max(0, cpu);
      }
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public long delivered(Receiver receiver) throws InterruptedException, ExecutionException {
    long cpu0 = collectorCpu();
    long requests0 = collector.stats().acceptedRequests();
    long delivered0 = analytics.stats().delivered();
    int per = MESSAGES / producers;
    List<Future<?>> done = new ArrayList<>(producers);
    for (int t = 0; t < producers; t++) {
      int base = t * per;
      done.add(pool.submit(() -> {
        for (int i = base; i < base + per; i++) {
          analytics.track(Workload.userId(i), Workload.EVENT, Workload.PROPERTIES);
        }
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    if (!analytics.flush(Duration.ofSeconds(60)).complete()) {
      throw new IllegalStateException("not delivered within 60 s: " + analytics.stats());
    }
    long delivered = analytics.stats().delivered() - delivered0;
    if (delivered != (long) per * producers) {
      throw new IllegalStateException("delivered " + delivered + " of " + per * producers + ": " + analytics.stats());
    }
    receiver.collectorCpuNanos += collectorCpu() - cpu0;
    receiver.requests += collector.stats().acceptedRequests() - requests0;
    return delivered;
  }
}
