package dev.beacon.internal;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Stage: message id generation, Beacon's {@link FastIds#randomUuid()} (ThreadLocalRandom) against
 * {@link UUID#randomUUID()} (one shared SecureRandom), as strings.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FastIdsBenchmark {
  @Benchmark
  @Threads(1)
  public String fastIds_1thread() {
    return FastIds.randomUuid();
  }

  @Benchmark
  @Threads(2)
  public String fastIds_2threads() {
    return FastIds.randomUuid();
  }

  @Benchmark
  @Threads(1)
  public String jdkRandomUuid_1thread() {
    return UUID.randomUUID().toString();
  }

  @Benchmark
  @Threads(2)
  public String jdkRandomUuid_2threads() {
    return UUID.randomUUID().toString();
  }
}
