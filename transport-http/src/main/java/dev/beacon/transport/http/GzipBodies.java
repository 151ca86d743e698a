package dev.beacon.transport.http;

import dev.beacon.spi.Batch;
import dev.beacon.transport.http.spi.GzipCompressor;
import dev.beacon.transport.http.spi.GzipCompressorProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gzips request bodies for one {@link HttpTransport} with the {@link GzipCompressor} chosen at
 * {@code build()}: the batch is written into a reused buffer, compressed in one call into a
 * reused buffer sized by the compressor's bound, and copied out at its exact size.
 *
 * <p>Compressors and their buffers are pooled, at most {@value #IDLE} idle ones kept: bodies are
 * encoded on the thread that calls {@code send} (the engine's scheduler thread) or on the
 * transport's rate-cap timer, so two at a time at most in practice; a third caller gets a
 * compressor of its own, closed after use. Buffers above {@value #RETAINED_BYTES} bytes are not
 * kept, so an idle transport holds at most {@value #IDLE} × 2 × {@value #RETAINED_BYTES} bytes of
 * buffers plus its compressors' own state. {@link #close()} frees every idle compressor; one in
 * use when the transport closes is freed when its call returns.
 */
final class GzipBodies implements AutoCloseable {
  static final int IDLE = 2;
  static final int RETAINED_BYTES = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(GzipBodies.class);

  private final GzipCompressorProvider provider;
  private final int level;
  private final ArrayBlockingQueue<Encoder> idle = new ArrayBlockingQueue<>(IDLE);
  private volatile boolean closed;

  private GzipBodies(GzipCompressorProvider provider, int level, Encoder first) {
    this.provider = provider;
    this.level = level;
    idle.offer(first);
  }

  /**
   * Chooses the compressor and starts one, falling back to the JDK's with one warning when the
   * chosen one cannot start.
   *
   * @param requested a name from {@code Builder#gzipCompressor}, or null to choose among those found
   * @param given a provider passed to {@code Builder#gzipCompressor(GzipCompressorProvider)}, or null
   * @param level the gzip level
   * @param found the providers on the class path (ServiceLoader's, or a test's)
   * @throws IllegalArgumentException when {@code requested} names no provider found and none failed to load
   */
  static GzipBodies start(String requested, GzipCompressorProvider given, int level,
      Iterable<GzipCompressorProvider> found) {
    GzipCompressorProvider jdk = new JdkGzipCompressor.Provider();
    GzipCompressorProvider chosen = given != null ? given
        : GzipCompressorProvider.JDK.equals(requested) ? jdk : choose(requested, found);
    if (chosen == null) {
      chosen = jdk;
    }
    if (chosen != jdk) {
      try {
        return new GzipBodies(chosen, level, new Encoder(chosen.create(level)));
      } catch (LinkageError | RuntimeException | OutOfMemoryError e) {
        // OutOfMemoryError: a native library that cannot allocate its state (jlibdeflate throws it).
        LOG.warn("Beacon's HTTP transport: gzip compressor '{}' could not start ({}); compressing with the JDK's"
            + " Deflater instead", chosen.name(), e.toString());
      }
    }
    return new GzipBodies(jdk, level, new Encoder(jdk.create(level)));
  }

  /** The providers {@link ServiceLoader} finds next to this class. */
  static Iterable<GzipCompressorProvider> serviceLoader() {
    return ServiceLoader.load(GzipCompressorProvider.class, GzipCompressorProvider.class.getClassLoader());
  }

  /** The provider to use, or null for the JDK's. */
  private static GzipCompressorProvider choose(String requested, Iterable<GzipCompressorProvider> found) {
    List<GzipCompressorProvider> providers = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Iterator<GzipCompressorProvider> it = found.iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        GzipCompressorProvider p = it.next();
        if (p.name() == null || p.name().isBlank() || GzipCompressorProvider.JDK.equals(p.name())) {
          failures.add(p.getClass().getName() + " (invalid name '" + p.name() + "')");
        } else {
          providers.add(p);
        }
      } catch (ServiceConfigurationError | LinkageError e) {
        // A provider class that cannot load (a dependency missing): skip it, say so once below.
        failures.add(e.toString());
        if (failures.size() > 16) {
          break; // a broken iterator that fails forever must not hang build()
        }
      }
    }
    if (!failures.isEmpty()) {
      LOG.warn("Beacon's HTTP transport: gzip compressor provider(s) skipped: {}", String.join("; ", failures));
    }
    if (requested != null) {
      for (GzipCompressorProvider p : providers) {
        if (requested.equals(p.name())) {
          return p;
        }
      }
      if (failures.isEmpty()) {
        throw new IllegalArgumentException("gzipCompressor '" + requested + "' matches none of the compressors found: "
            + names(providers) + "; add its artifact (e.g. dev.beacon:beacon-compression-libdeflate) to the class path");
      }
      LOG.warn("Beacon's HTTP transport: gzip compressor '{}' is not available (found: {}); compressing with the JDK's"
          + " Deflater instead", requested, names(providers));
      return null;
    }
    if (providers.isEmpty()) {
      return null;
    }
    providers.sort(Comparator.comparingInt(GzipCompressorProvider::priority).reversed()
        .thenComparing(GzipCompressorProvider::name));
    if (providers.size() > 1) {
      LOG.warn("Beacon's HTTP transport found several gzip compressors ({}); using '{}'. Choose one with"
          + " gzipCompressor(...).", names(providers), providers.get(0).name());
    }
    return providers.get(0);
  }

  private static String names(List<GzipCompressorProvider> providers) {
    return providers.stream().map(GzipCompressorProvider::name)
        .collect(Collectors.joining(", ", GzipCompressorProvider.JDK + " (built in)" + (providers.isEmpty() ? "" : ", "), ""));
  }

  /**
   * Returns the name of the compressor in use.
   *
   * @return e.g. {@code "jdk"} or {@code "libdeflate"}
   */
  String name() {
    return provider.name();
  }

  /**
   * Writes the batch's body and gzips it.
   *
   * @param batch the batch
   * @param sentAt the body's {@code sentAt}
   * @return the gzip body, a new array of its exact size
   * @throws IOException never from the buffers; declared by {@link Batch#writeTo}
   */
  byte[] encode(Batch batch, Instant sentAt) throws IOException {
    Encoder e = idle.poll();
    if (e == null) {
      e = new Encoder(create());
    }
    byte[] body;
    try {
      body = e.encode(batch, sentAt);
    } catch (IOException | RuntimeException failure) {
      e.close(); // its state is unknown now: never reuse it
      throw failure;
    } catch (LinkageError | OutOfMemoryError failure) {
      // A native method that does not link, or memory the compressor could not get: fail this
      // attempt, never the engine's thread.
      e.close();
      throw new IllegalStateException("gzip compressor '" + provider.name() + "' failed: " + failure, failure);
    } catch (Error failure) {
      e.close();
      throw failure;
    }
    release(e);
    return body;
  }

  /** A compressor beyond the pooled ones; the JDK's if this one cannot start now. */
  private GzipCompressor create() {
    try {
      return Objects.requireNonNull(provider.create(level), "create returned null");
    } catch (LinkageError | RuntimeException | OutOfMemoryError e) {
      if (GzipCompressorProvider.JDK.equals(provider.name())) {
        throw e;
      }
      LOG.warn("Beacon's HTTP transport: gzip compressor '{}' could not start another instance ({}); this body is"
          + " compressed with the JDK's Deflater", provider.name(), e.toString());
      return new JdkGzipCompressor(level);
    }
  }

  private void release(Encoder e) {
    if (closed || !idle.offer(e)) {
      e.close();
      return;
    }
    // close() may have drained the pool between our check and the offer: drain again.
    if (closed) {
      drain();
    }
  }

  private void drain() {
    for (Encoder e = idle.poll(); e != null; e = idle.poll()) {
      e.close();
    }
  }

  /** Frees every idle compressor; one in use is freed when its call returns. Idempotent. */
  @Override
  public void close() {
    closed = true;
    drain();
  }

  /** One compressor with its two reused buffers. Used by one thread at a time. */
  private static final class Encoder {
    private final GzipCompressor compressor;
    private final Sink in = new Sink();
    private byte[] out = new byte[0];

    Encoder(GzipCompressor compressor) {
      this.compressor = Objects.requireNonNull(compressor, "create returned null");
    }

    byte[] encode(Batch batch, Instant sentAt) throws IOException {
      in.reset(batch.sizeInBytes() + 64);
      batch.writeTo(in, sentAt);
      int length = in.size;
      int bound = compressor.maxCompressedLength(length);
      byte[] o = out.length >= bound ? out : new byte[bound];
      int n = compressor.compress(in.buf, 0, length, o);
      if (n <= 0 || n > o.length) {
        throw new IllegalStateException("gzip compressor " + compressor.getClass().getName() + " returned " + n
            + " bytes for a " + length + "-byte body and a " + o.length + "-byte buffer");
      }
      byte[] body = Arrays.copyOf(o, n);
      out = o.length <= RETAINED_BYTES ? o : new byte[0];
      in.trim();
      return body;
    }

    void close() {
      compressor.close();
    }
  }

  /** An unsynchronized growable buffer (ByteArrayOutputStream locks on every write). */
  private static final class Sink extends OutputStream {
    byte[] buf = new byte[0];
    int size;

    void reset(int expected) {
      size = 0;
      if (buf.length < expected) {
        buf = new byte[expected];
      }
    }

    void trim() {
      if (buf.length > RETAINED_BYTES) {
        buf = new byte[0];
      }
    }

    private void ensure(int extra) {
      if (extra > buf.length - size) {
        long want = Math.max((long) size + extra, (long) buf.length * 2);
        if (want > Integer.MAX_VALUE - 8) {
          if ((long) size + extra > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a request body over 2 GB cannot be buffered");
          }
          want = Integer.MAX_VALUE - 8;
        }
        buf = Arrays.copyOf(buf, (int) want);
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }
  }
}
