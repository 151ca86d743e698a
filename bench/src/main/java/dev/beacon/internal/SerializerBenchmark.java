package dev.beacon.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.beacon.Track;
import dev.beacon.bench.Workload;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Stage: serializing one built message with {@link MessageSerializer} into a reused generator
 * and buffer, as the consumer's assembler does. Returns the bytes written.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SerializerBenchmark {
  private List<Track> messages;
  private ByteSink sink;
  private JsonGenerator gen;
  private int i;

  @Setup(Level.Trial)
  public void setUp() {
    messages = Workload.tracks(1024);
    sink = new ByteSink(64 * 1024);
    gen = MessageSerializer.generator(sink);
  }

  private int write() throws IOException {
    MessageSerializer.write(gen, messages.get(i++ & 1023));
    gen.flush();
    int n = sink.size();
    sink.truncate(0);
    return n;
  }

  @Benchmark
  @Threads(1)
  public int serialize_1thread() throws IOException {
    return write();
  }

  @Benchmark
  @Threads(2)
  public int serialize_2threads() throws IOException {
    return write();
  }
}
