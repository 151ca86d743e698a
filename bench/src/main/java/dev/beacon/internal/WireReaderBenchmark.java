package dev.beacon.internal;

import dev.beacon.Message;
import dev.beacon.Track;
import dev.beacon.bench.Workload;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading one Segment message that arrived as bytes (a Kafka record, an import line), one
 * thread, side by side in the same fork:
 * <ul>
 *   <li>{@code reader}: {@link WireReader#read}, the streaming check that lets the relay pass a
 *       valid, complete message's bytes on;</li>
 *   <li>{@code codec}: what the relay did for every record before, and still does for the
 *       messages the reader leaves to it: {@link MessageCodec#parseObject} into maps, then
 *       {@link MessageCodec#fromMap} into a validated {@link Message}.</li>
 *   <li>{@code parserOnly}: Jackson's parser alone over the same bytes (every token, no check),
 *       the floor under {@code reader};</li>
 *   <li>{@code readerDecode}: {@link WireReader#decode}, the same {@code Message} as {@code codec}
 *       built from the token stream ({@code beacon import}'s path);</li>
 *   <li>{@code readerComplete} and {@code codecComplete}: the same messages without
 *       {@code messageId}, {@code timestamp} and {@code context}, completed by
 *       {@link WireReader#complete} and by the codec path the relay used before.</li>
 * </ul>
 * Messages are written by Beacon itself (as the Kafka transport writes them): {@code workload} is
 * the bench's track call (~330 bytes), {@code mobile} the same with a mobile SDK's context (~500 bytes).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class WireReaderBenchmark {
  @Param({"workload", "mobile"})
  public String shape;

  private byte[][] messages;
  /** The same messages without messageId, timestamp and context (as a non-SDK producer writes them). */
  private byte[][] incomplete;
  private int i;

  @Setup(Level.Trial)
  public void setUp() {
    messages = new byte[1024][];
    incomplete = new byte[1024][];
    for (int n = 0; n < messages.length; n++) {
      Track t = Workload.track(n);
      if ("mobile".equals(shape)) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("app", Map.of("name", "Shop", "version", "4.2.1", "build", "421"));
        context.put("device", Map.of("manufacturer", "Apple", "model", "iPhone15,2", "type", "ios"));
        context.put("os", Map.of("name", "iOS", "version", "17.4"));
        context.put("locale", "en-US");
        context.put("ip", "203.0.113." + (n & 255));
        t = t.toBuilder().anonymousId("anon-" + n).context(context).build();
      }
      messages[n] = MessageSerializer.toBytes(t);
      Map<String, Object> m = MessageCodec.parseObject(messages[n], 0, messages[n].length);
      m.remove("messageId");
      m.remove("timestamp");
      m.remove("context");
      incomplete[n] = toJson(m);
      if (WireReader.complete(incomplete[n], 0, incomplete[n].length, () -> "id", 1L) == null) {
        throw new IllegalStateException("the reader should complete this message");
      }
      if (WireReader.read(messages[n], 0, messages[n].length) != WireReader.Verdict.AS_IS) {
        throw new IllegalStateException("the reader should pass this message on: " + new String(messages[n],
            java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  @Benchmark
  public WireReader.Verdict reader() {
    byte[] m = messages[i++ & 1023];
    return WireReader.read(m, 0, m.length);
  }

  /**
   * The floor under {@code reader}: Jackson's parser alone over the same bytes (every token, no
   * check, no text made), from the same factory the reader uses. What the reader adds is the
   * difference.
   */
  @Benchmark
  public int parserOnly() throws java.io.IOException {
    byte[] m = messages[i++ & 1023];
    int tokens = 0;
    try (com.fasterxml.jackson.core.JsonParser p = MessageSerializer.JSON.createParser(m, 0, m.length)) {
      while (p.nextToken() != null) {
        tokens++;
      }
    }
    return tokens;
  }

  /** {@code beacon import}'s decoding now: the same {@link Message} as {@code codec}, built from the token stream. */
  @Benchmark
  public Message readerDecode() {
    byte[] m = messages[i++ & 1023];
    return WireReader.decode(m, 0, m.length, () -> "unused").message();
  }

  /** The relay's completion on the token stream (a stable id computed as the relay does). */
  @Benchmark
  public byte[] readerComplete() {
    int n = i++ & 1023;
    byte[] m = incomplete[n];
    return WireReader.complete(m, 0, m.length, () -> dev.beacon.MessageIds.stable("kafka", "t", "0",
        Long.toString(n)), 1_705_314_600_000L);
  }

  /** The relay's completion before: maps, the missing fields put, a Message, serialized again. */
  @Benchmark
  public byte[] codecComplete() {
    int n = i++ & 1023;
    byte[] m = incomplete[n];
    Map<String, Object> json = MessageCodec.parseObject(m, 0, m.length);
    json.put("messageId", dev.beacon.MessageIds.stable("kafka", "t", "0", Long.toString(n)));
    json.put("timestamp", java.time.Instant.ofEpochMilli(1_705_314_600_000L).toString());
    return MessageCodec.encode(MessageCodec.fromMap(json));
  }

  private static byte[] toJson(Map<String, Object> m) {
    ByteSink sink = new ByteSink(512);
    try (com.fasterxml.jackson.core.JsonGenerator g = MessageSerializer.generator(sink)) {
      MessageSerializer.writeValue(g, m);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return sink.toByteArray();
  }

  @Benchmark
  public Message codec() {
    byte[] m = messages[i++ & 1023];
    return MessageCodec.fromMap(MessageCodec.parseObject(m, 0, m.length));
  }
}
