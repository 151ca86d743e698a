package dev.beacon.transport.http.libdeflate;

import dev.beacon.transport.http.spi.GzipCompressor;
import dev.beacon.transport.http.spi.GzipCompressorProvider;

/**
 * Gzips {@code HttpTransport}'s request bodies with libdeflate, through its JNI binding
 * {@code com.fulcrumgenomics:jlibdeflate} (natives bundled for linux and macOS on x86_64 and
 * aarch64, and windows x86_64). Registered in
 * {@code META-INF/services/dev.beacon.transport.http.spi.GzipCompressorProvider} under the name
 * {@value #NAME} with priority {@value #PRIORITY}: with this artifact on the class path every
 * {@code HttpTransport} uses it unless {@code HttpTransport.Builder#gzipCompressor("jdk")} says
 * otherwise.
 *
 * <p>On Beacon's own batches at level 1 it compresses 1.6–2× as fast as the JDK's
 * {@link java.util.zip.Deflater} with bodies 11–12% smaller (500 to 1,500 messages; see
 * docs/performance.md). Where its native library cannot load (another platform, a C library it was
 * not built for, a temporary directory it cannot write to), {@link #create(int)} throws an
 * {@link UnsatisfiedLinkError} and the transport logs one warning and uses the JDK's compressor.
 */
public final class LibdeflateGzipCompressorProvider implements GzipCompressorProvider {
  /** The name to choose this compressor with {@code gzipCompressor(...)}. */
  public static final String NAME = "libdeflate";
  /** This provider's {@link #priority()}: above the default 0. */
  public static final int PRIORITY = 10;

  /** Creates the provider; called by {@link java.util.ServiceLoader}. Loads no native code. */
  public LibdeflateGzipCompressorProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  /**
   * Creates a libdeflate compressor; the first call loads the native library (jlibdeflate copies it
   * from its jar to a temporary file, loads it and deletes the file).
   *
   * @param level 1 to 9
   * @return a new compressor holding native memory until closed
   * @throws UnsatisfiedLinkError when the native library cannot load on this platform
   * @throws NoClassDefFoundError when an earlier attempt to load it failed in this JVM
   * @throws IllegalArgumentException when the level is outside 1 to 9
   */
  @Override
  public GzipCompressor create(int level) {
    if (level < 1 || level > 9) {
      throw new IllegalArgumentException("level must be between 1 and 9 but was " + level);
    }
    return new LibdeflateGzipCompressor(level);
  }

  @Override
  public String toString() {
    return "LibdeflateGzipCompressorProvider{name=" + NAME + ", priority=" + PRIORITY + "}";
  }
}
