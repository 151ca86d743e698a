package dev.beacon;

import dev.beacon.bench.Transports;
import dev.beacon.bench.Workload;
import dev.beacon.internal.QueueBaseline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The producer side: what a {@code track()} call costs the calling thread, with 1, 2 and 4
 * threads, through the Disruptor ring ({@code design=ring}, the real {@link Analytics}) and
 * through the {@link QueueBaseline} ({@code design=queue}).
 *
 * <ul>
 *   <li>{@code queueState=accepting}: a 2M-slot queue emptied before every iteration and a
 *       {@code send(false)} consumer, so calls are accepted; the {@code dropped} counter shows
 *       if the queue ever filled anyway.</li>
 *   <li>{@code queueState=full}: a 1,024-slot queue whose consumer is stuck (a transport that
 *       never answers, or no consumer for the baseline): every call takes the drop path.</li>
 * </ul>
 * The {@code accepted} and {@code dropped} auxiliary counters are calls per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Short iterations, each starting with an empty queue, keep the backlog (and so the GC work of
// messages that outlive the young generation) small in the accepting state.
@Warmup(iterations = 4, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 8, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class TrackBenchmark {

  /** One client shared by every benchmark thread. */
  @State(Scope.Benchmark)
  public static class Pipeline {
    /** {@code ring}: Beacon's engine; {@code queue}: the ArrayBlockingQueue baseline. */
    @Param({"ring", "queue"})
    public String design;

    /** {@code accepting} or {@code full}. */
    @Param({"accepting", "full"})
    public String queueState;

    Analytics analytics;
    QueueBaseline baseline;

    @Setup(Level.Trial)
    public void start() {
      boolean full = "full".equals(queueState);
      int capacity = full ? 1024 : 1 << 21;
      long maxBytes = full ? Analytics.Builder.DEFAULT_MAX_QUEUE_BYTES : 4L << 30;
      if ("ring".equals(design)) {
        Analytics.Builder b = Analytics.builder("bench-write-key")
            .maxQueueSize(capacity)
            .maxQueueBytes(maxBytes)
            .shutdownHook(false)
            .shutdownTimeout(Duration.ZERO);
        analytics = (full ? b.transport(Transports.neverCompletes()) : b.send(false)).build();
      } else {
        baseline = new QueueBaseline(capacity, maxBytes, Analytics.Builder.DEFAULT_FLUSH_AT, Duration.ZERO, !full);
      }
    }

    /** Every iteration starts with an empty queue (no-op when the consumer is stuck). */
    @Setup(Level.Iteration)
    public void drain() {
      if ("full".equals(queueState)) {
        return;
      }
      if (analytics != null) {
        analytics.flush(Duration.ofSeconds(60));
      } else {
        baseline.drain(Duration.ofSeconds(60));
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      drain(); // so that only the stuck "full" client reports messages as not delivered
      if (analytics != null) {
        analytics.close(Duration.ZERO);
      } else {
        baseline.close();
      }
    }

    boolean track(int i) {
      return analytics != null
          ? analytics.track(Workload.userId(i), Workload.EVENT, Workload.PROPERTIES)
          : baseline.track(Workload.userId(i), Workload.EVENT, Workload.PROPERTIES);
    }
  }

  /** Accepted and dropped calls, reported per second next to the primary score. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Calls {
    public long accepted;
    public long dropped;

    @Setup(Level.Iteration)
    public void reset() {
      accepted = 0;
      dropped = 0;
    }

    boolean count(boolean ok) {
      if (ok) {
        accepted++;
      } else {
        dropped++;
      }
      return ok;
    }
  }

  /** Each thread walks through the users. */
  @State(Scope.Thread)
  public static class Caller {
    int i;
  }

  @Benchmark
  @Threads(1)
  public boolean track_1thread(Pipeline p, Caller c, Calls calls) {
    return calls.count(p.track(c.i++));
  }

  @Benchmark
  @Threads(2)
  public boolean track_2threads(Pipeline p, Caller c, Calls calls) {
    return calls.count(p.track(c.i++));
  }

  @Benchmark
  @Threads(4)
  public boolean track_4threads(Pipeline p, Caller c, Calls calls) {
    return calls.count(p.track(c.i++));
  }

  /** Latency distribution of one call (p50, p99, p99.9 in the JSON), one producer. */
  @Benchmark
  @Threads(1)
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
  public boolean latency_1thread(Pipeline p, Caller c, Calls calls) {
    return calls.count(p.track(c.i++));
  }

  /** Latency distribution of one call with four producers on two cores. */
  @Benchmark
  @Threads(4)
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
  public boolean latency_4threads(Pipeline p, Caller c, Calls calls) {
    return calls.count(p.track(c.i++));
  }
}
