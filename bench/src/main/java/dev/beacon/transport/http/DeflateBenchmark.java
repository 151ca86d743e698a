package dev.beacon.transport.http;

import com.fulcrumgenomics.jlibdeflate.LibdeflateCompressor;
import dev.beacon.bench.Workload;
import dev.beacon.transport.http.libdeflate.LibdeflateGzipCompressorProvider;
import dev.beacon.internal.ByteSink;
import dev.beacon.spi.Batch;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Gzip level 1 of Beacon's own request bodies, one thread: the JDK's {@link Deflater} (zlib, what
 * {@link HttpTransport} uses today) against libdeflate through its JNI binding
 * {@code com.fulcrumgenomics:jlibdeflate} (bench only; nothing in the product depends on it).
 *
 * <p>The input is the exact body {@link HttpTransport} compresses for a batch of the bench's
 * workload ({@link Workload}: {@code Batch.writeTo} with a fixed {@code sentAt}), 100, 500 or
 * 1,500 messages (1,500 is the size batches grow to under load: the 500 KB limit, as
 * {@code EndToEndBenchmark}'s requests per second show). Two pairs:
 *
 * <ul>
 *   <li>{@link #jdkDeflater} / {@link #libdeflate}: the compressor alone on the ready body, each
 *       reusing its compressor and output buffer (the JDK one with the gzip header, CRC-32 and
 *       trailer written as {@link GZIPOutputStream} writes them);
 *   <li>{@link #jdkTransport} / {@link #libdeflateTransport}: what a transport pays per request,
 *       from the {@link Batch} to a {@code byte[]} body: {@code jdkTransport} is
 *       {@code HttpTransport.encode} as it is (a new {@link GZIPOutputStream} behind a 32 KB
 *       {@link BufferedOutputStream} per request); {@code libdeflateTransport} writes the body into
 *       a reused buffer and compresses it in one call into a new array of the exact size.
 *   <li>{@link #pooledJdk} / {@link #pooledLibdeflate}: {@code HttpTransport.encode} as it is since
 *       the compressor became pluggable (issue 23 §1), the transport's own code ({@code GzipBodies}):
 *       the body into a reused buffer, one call of the chosen {@code GzipCompressor} (the built-in
 *       JDK one, or {@code beacon-compression-libdeflate}'s) into a reused buffer, copied out at its
 *       exact size. {@code pooledJdk} against {@code jdkTransport} is what a user without the module
 *       gains or loses; {@code pooledLibdeflate} against {@code jdkTransport} what adding it gives.
 * </ul>
 *
 * <p>The score is batches per second; the {@link Bytes} counters are bytes per second in
 * ({@code inputBytes}: MB/s = value ÷ 10⁶) and out ({@code outputBytes}: compressed size per
 * batch = value ÷ score), and the thread's CPU nanoseconds per second ({@code cpuNanos}: CPU per
 * batch = value ÷ score; MB per CPU-second = {@code inputBytes} ÷ {@code cpuNanos} × 1,000), the
 * figure to compare on a shared machine, where wall-clock rates move with the other load. Each path's output is checked to gunzip back to the body before the run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class DeflateBenchmark {
  /** The level {@link HttpTransport} uses by default ({@link HttpTransport#DEFAULT_GZIP_LEVEL}). */
  static final int LEVEL = HttpTransport.DEFAULT_GZIP_LEVEL;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final Instant SENT_AT = Instant.parse("2026-11-28T12:00:00.000Z");
  /** GZIPOutputStream's header: magic, CM=deflate, no flags, no mtime, no XFL, OS unknown (0). */
  private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0};

  /** Messages per batch (about 340 bytes each in the body). */
  @Param({"100", "500", "1500"})
  public int messages;

  Batch batch;
  /** The request body, uncompressed, exactly as {@link Batch#writeTo} writes it. */
  byte[] body;
  private Deflater deflater;
  private final CRC32 crc = new CRC32();
  private LibdeflateCompressor compressor;
  private byte[] out;
  private ByteSink sink;
  private GzipBodies pooledJdkBodies;
  private GzipBodies pooledLibdeflateBodies;

  /** Bytes per second in and out, reported beside the score. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Bytes {
    /** Uncompressed body bytes compressed. */
    public long inputBytes;
    /** Compressed bytes produced. */
    public long outputBytes;
    /**
     * CPU time of the benchmark thread spent in the measured calls ({@link ThreadMXBean}, read
     * around each call on every path alike), so that bytes per CPU-second can be compared on a machine whose other load steals wall-clock time.
     */
    public long cpuNanos;

    /** Starts each iteration from zero. */
    @Setup(Level.Iteration)
    public void reset() {
      inputBytes = 0;
      outputBytes = 0;
      cpuNanos = 0;
    }

    void count(int in, int outBytes, long cpuSince) {
      cpuNanos += THREADS.getCurrentThreadCpuTime() - cpuSince;
      inputBytes += in;
      outputBytes += outBytes;
    }
  }

  /** Builds the batch and its body, the compressors, and checks every path once. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    batch = Batch.of(Workload.tracks(messages));
    body = batch.toJson(SENT_AT);
    deflater = new Deflater(LEVEL, true);
    compressor = new LibdeflateCompressor(LEVEL);
    // Room for the worst case of both (stored blocks plus framing).
    out = new byte[Math.max(compressor.gzipCompressBound(body.length), body.length + body.length / 100 + 1024)];
    sink = new ByteSink(body.length + 64);
    pooledJdkBodies = GzipBodies.start("jdk", null, LEVEL, List.of());
    pooledLibdeflateBodies = GzipBodies.start(null, new LibdeflateGzipCompressorProvider(), LEVEL, List.of());
    if (!"libdeflate".equals(pooledLibdeflateBodies.name())) {
      throw new IllegalStateException("libdeflate did not start here: " + pooledLibdeflateBodies.name());
    }
    // Measure only paths that produce the body: each output must gunzip back to it.
    check("jdkDeflater", Arrays.copyOf(out, jdkGzip(body, out)));
    check("libdeflate", Arrays.copyOf(out, libdeflateGzip(body, body.length)));
    check("jdkTransport", transportEncode(batch));
    check("libdeflateTransport", libdeflateEncode());
    check("pooledJdk", pooledJdkBodies.encode(batch, SENT_AT));
    check("pooledLibdeflate", pooledLibdeflateBodies.encode(batch, SENT_AT));
  }

  /** Throws unless {@code gzip} gunzips to {@link #body}. */
  void check(String path, byte[] gzip) throws IOException {
    byte[] back;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      back = in.readAllBytes();
    }
    if (!Arrays.equals(back, body)) {
      throw new IllegalStateException(path + ": gunzip gives " + back.length + " bytes that are not the "
          + body.length + "-byte body");
    }
  }

  /** Frees the native compressors. */
  @TearDown(Level.Trial)
  public void tearDown() {
    deflater.end();
    compressor.close();
    pooledJdkBodies.close();
    pooledLibdeflateBodies.close();
  }

  /**
   * The JDK compressor alone: a reused {@link Deflater} (raw deflate) and {@link CRC32}, with gzip
   * framing, into a reused buffer.
   *
   * @param bytes the byte counters
   * @return compressed bytes in {@code out}
   */
  @Benchmark
  public int jdkDeflater(Bytes bytes) {
    long cpu = THREADS.getCurrentThreadCpuTime();
    int n = jdkGzip(body, out);
    bytes.count(body.length, n, cpu);
    return n;
  }

  /**
   * libdeflate alone: a reused compressor, gzip format, into a reused buffer.
   *
   * @param bytes the byte counters
   * @return compressed bytes in {@code out}
   */
  @Benchmark
  public int libdeflate(Bytes bytes) {
    long cpu = THREADS.getCurrentThreadCpuTime();
    int n = libdeflateGzip(body, body.length);
    bytes.count(body.length, n, cpu);
    return n;
  }

  /**
   * {@code HttpTransport.encode} as it is today: the batch through a 32 KB buffer into a new
   * level-1 {@link GZIPOutputStream}, into a {@link ByteArrayOutputStream} presized to a sixth.
   *
   * @param bytes the byte counters
   * @return the request body
   * @throws IOException never (in-memory streams)
   */
  @Benchmark
  public byte[] jdkTransport(Bytes bytes) throws IOException {
    long cpu = THREADS.getCurrentThreadCpuTime();
    byte[] encoded = transportEncode(batch);
    bytes.count(body.length, encoded.length, cpu);
    return encoded;
  }

  /**
   * What a libdeflate transport would do: the batch into a reused buffer, then one call into a
   * new array of the exact size.
   *
   * @param bytes the byte counters
   * @return the request body
   * @throws IOException never (in-memory streams)
   */
  @Benchmark
  public byte[] libdeflateTransport(Bytes bytes) throws IOException {
    long cpu = THREADS.getCurrentThreadCpuTime();
    byte[] encoded = libdeflateEncode();
    bytes.count(sink.size(), encoded.length, cpu);
    return encoded;
  }

  /**
   * {@code HttpTransport.encode} with the built-in JDK compressor, through the transport's own
   * {@code GzipBodies}.
   *
   * @param bytes the byte counters
   * @return the request body
   * @throws IOException never (in-memory buffers)
   */
  @Benchmark
  public byte[] pooledJdk(Bytes bytes) throws IOException {
    long cpu = THREADS.getCurrentThreadCpuTime();
    byte[] encoded = pooledJdkBodies.encode(batch, SENT_AT);
    bytes.count(body.length, encoded.length, cpu);
    return encoded;
  }

  /**
   * {@code HttpTransport.encode} with {@code beacon-compression-libdeflate}'s compressor, through
   * the transport's own {@code GzipBodies}.
   *
   * @param bytes the byte counters
   * @return the request body
   * @throws IOException never (in-memory buffers)
   */
  @Benchmark
  public byte[] pooledLibdeflate(Bytes bytes) throws IOException {
    long cpu = THREADS.getCurrentThreadCpuTime();
    byte[] encoded = pooledLibdeflateBodies.encode(batch, SENT_AT);
    bytes.count(body.length, encoded.length, cpu);
    return encoded;
  }

  private byte[] libdeflateEncode() throws IOException {
    sink.truncate(0);
    batch.writeTo(sink, SENT_AT);
    return Arrays.copyOf(out, libdeflateGzip(sink.array(), sink.size()));
  }

  /** Gzip of the first {@code length} bytes of {@code in} into {@link #out}; returns the size. */
  private int libdeflateGzip(byte[] in, int length) {
    int n = compressor.gzipCompress(in, 0, length, out, 0, out.length);
    if (n < 0) {
      throw new IllegalStateException("libdeflate: output buffer too small for " + length + " bytes");
    }
    return n;
  }

  /**
   * {@code HttpTransport.encode}'s gzip branch as it was before the compressor became pluggable
   * (issue 23 §1): the baseline of {@link #pooledJdk} and {@link #pooledLibdeflate}.
   */
  static byte[] transportEncode(Batch batch) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream(Math.max(256, batch.sizeInBytes() / 6));
    try (OutputStream gz = new BufferedOutputStream(new LeveledGzip(bos, LEVEL), 32 * 1024)) {
      batch.writeTo(gz, SENT_AT);
    }
    return bos.toByteArray();
  }

  /** Gzip of {@code in} with the reused deflater, as GZIPOutputStream frames it; returns the size. */
  int jdkGzip(byte[] in, byte[] dst) {
    deflater.reset();
    deflater.setInput(in, 0, in.length);
    deflater.finish();
    System.arraycopy(GZIP_HEADER, 0, dst, 0, GZIP_HEADER.length);
    int n = GZIP_HEADER.length;
    while (!deflater.finished()) {
      if (n >= dst.length - 8) {
        throw new IllegalStateException("deflate: output buffer too small for " + in.length + " bytes");
      }
      n += deflater.deflate(dst, n, dst.length - 8 - n);
    }
    crc.reset();
    crc.update(in, 0, in.length);
    writeIntLe(dst, n, (int) crc.getValue());
    writeIntLe(dst, n + 4, in.length);
    return n + 8;
  }

  private static void writeIntLe(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  /** A GZIPOutputStream at a chosen level, as HttpTransport's. */
  static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(OutputStream out, int level) throws IOException {
      super(out, 8192);
      def.setLevel(level);
    }
  }
}
