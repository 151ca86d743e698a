package dev.beacon;

import dev.beacon.bench.Workload;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Stage: building one message: validation, the deep copy of the five properties, the size bound,
 * a random message id and the timestamp ({@code Track.builder(...).build()}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MessageBuildBenchmark {
  int i;

  @Benchmark
  @Threads(1)
  public Track build_1thread() {
    return Workload.track(i++);
  }

  @Benchmark
  @Threads(2)
  public Track build_2threads() {
    return Workload.track(i++);
  }
}
