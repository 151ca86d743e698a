package dev.beacon.internal;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Stage: the {@code timestamp} field of every message. {@link Timestamps#format} (the core's direct
 * writer) against the {@code DateTimeFormatter} it replaced (kept in core as the reference its
 * property test checks against).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class TimestampsBenchmark {
  private long ms = 1_795_000_000_000L;

  @Benchmark
  public String coreFormatter() {
    return Timestamps.format(Instant.ofEpochMilli(ms++));
  }

  @Benchmark
  public String javaTime() {
    return Timestamps.formatWithJavaTime(Instant.ofEpochMilli(ms++));
  }
}
