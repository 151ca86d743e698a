package dev.beacon.spi;

import dev.beacon.Track;
import dev.beacon.bench.Workload;
import dev.beacon.internal.ByteSink;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Stage: batch assembly and the request body, per message, for a batch of {@value #MESSAGES}
 * messages (about 340 KB, under Segment's 500 KB): {@link Batch#of} (serialize and cut),
 * {@link Batch#writeTo} into a buffer (the uncompressed body), and into a
 * {@link GZIPOutputStream} at level 1 and 6. (The report measures the body sizes separately.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class BatchBenchmark {
  static final int MESSAGES = 1000;

  private List<Track> messages;
  private Batch batch;
  private ByteSink sink;
  private final Instant sentAt = Instant.parse("2026-11-28T12:00:00.000Z");

  @Setup(Level.Trial)
  public void setUp() {
    messages = Workload.tracks(MESSAGES);
    batch = Batch.of(messages);
    sink = new ByteSink(batch.sizeInBytes() + 64);
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public Batch assemble() {
    return Batch.of(messages);
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int writeRaw() throws IOException {
    sink.truncate(0);
    batch.writeTo(sink, sentAt);
    return sink.size();
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int writeGzip1() throws IOException {
    return gzip(1);
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int writeGzip6() throws IOException {
    return gzip(6);
  }

  private int gzip(int level) throws IOException {
    sink.truncate(0);
    try (OutputStream out = new LeveledGzip(sink, level)) {
      batch.writeTo(out, sentAt);
    }
    return sink.size();
  }

  /** A GZIPOutputStream with a chosen compression level. */
  static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(OutputStream out, int level) throws IOException {
      super(out, 8192);
      def.setLevel(level);
    }
  }
}
