package dev.beacon;

import dev.beacon.bench.Workload;
import dev.beacon.internal.QueueBaseline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * The whole in-memory pipeline, ring versus queue: each invocation pushes {@value #MESSAGES}
 * {@code track} calls from {@code producers} threads through a 16,384-slot queue whose calls
 * block when it is full (so nothing is dropped), and returns once the single consumer has
 * serialized every message into 250-message batches ({@code send(false)}). The score is messages
 * per second through the pipeline, producer and consumer sharing the two cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class PipelineBenchmark {
  static final int MESSAGES = 100_000;

  /** {@code ring}: Beacon's engine; {@code queue}: the ArrayBlockingQueue baseline. */
  @Param({"ring", "queue"})
  public String design;

  /** Producer threads. */
  @Param({"1", "4"})
  public int producers;

  private Analytics analytics;
  private QueueBaseline baseline;
  private ExecutorService pool;

  @Setup(Level.Trial)
  public void start() {
    Duration block = Duration.ofSeconds(30);
    if ("ring".equals(design)) {
      analytics = Analytics.builder("bench-write-key")
          .send(false)
          .queueFullPolicy(QueueFullPolicy.block(block))
          .shutdownHook(false)
          .build();
    } else {
      baseline = new QueueBaseline(Analytics.Builder.ringSize(Analytics.Builder.DEFAULT_MAX_QUEUE_SIZE),
          Analytics.Builder.DEFAULT_MAX_QUEUE_BYTES, Analytics.Builder.DEFAULT_FLUSH_AT, block, true);
    }
    pool = Executors.newFixedThreadPool(producers);
  }

  @TearDown(Level.Trial)
  public void stop() {
    pool.shutdownNow();
    if (analytics != null) {
      analytics.close(Duration.ofSeconds(5));
    } else {
      baseline.close();
    }
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public long messages() throws InterruptedException, ExecutionException {
    int per = MESSAGES / producers;
    List<Future<Integer>> done = new ArrayList<>(producers);
    for (int t = 0; t < producers; t++) {
      int base = t * per;
      done.add(pool.submit(() -> {
        int ok = 0;
        for (int i = base; i < base + per; i++) {
          boolean accepted = analytics != null
              ? analytics.track(Workload.userId(i), Workload.EVENT, Workload.PROPERTIES)
              : baseline.track(Workload.userId(i), Workload.EVENT, Workload.PROPERTIES);
          ok += accepted ? 1 : 0;
        }
        return ok;
      }));
    }
    long accepted = 0;
    for (Future<Integer> f : done) {
      accepted += f.get();
    }
    if (accepted != (long) per * producers) {
      throw new IllegalStateException("a blocking call was refused: " + accepted + " of " + per * producers);
    }
    boolean drained = analytics != null
        ? analytics.flush(Duration.ofSeconds(60)).complete()
        : baseline.drain(Duration.ofSeconds(60));
    if (!drained) {
      throw new IllegalStateException("the consumer did not finish within 60 s");
    }
    return accepted;
  }
}
