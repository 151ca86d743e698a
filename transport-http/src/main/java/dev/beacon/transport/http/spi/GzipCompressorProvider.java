package dev.beacon.transport.http.spi;

/**
 * Creates the {@link GzipCompressor}s an {@code HttpTransport} compresses request bodies with;
 * found with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/dev.beacon.transport.http.spi.GzipCompressorProvider}.
 *
 * <p>The transport compresses with the JDK's {@link java.util.zip.Deflater} (name
 * {@value #JDK}, built in) unless a provider is found or chosen by name with
 * {@code HttpTransport.Builder#gzipCompressor(String)}; several found and none chosen: the highest
 * {@link #priority()} wins, ties going to the first name in alphabetical order, with a warning.
 * A provider whose {@link #create(int)} fails (for instance with an {@link UnsatisfiedLinkError}
 * when its native library has no build for this platform) costs one warning in the log and the
 * transport falls back to the JDK's compressor: it never stops the application.
 *
 * <p>An implementation's constructor must be cheap and must not load native code: do that in
 * {@link #create(int)}, where the transport catches the failure.
 */
public interface GzipCompressorProvider {
  /** The name of the built-in compressor, the JDK's {@link java.util.zip.Deflater}. */
  String JDK = "jdk";

  /**
   * Returns the short name users choose this provider by, e.g. {@code "libdeflate"}.
   *
   * @return a non-blank name other than {@value #JDK}
   */
  String name();

  /**
   * Ranks providers when several are found and none was chosen by name: the highest wins.
   *
   * @return the priority; default 0
   */
  default int priority() {
    return 0;
  }

  /**
   * Creates a compressor at a gzip level.
   *
   * @param level 1 (fastest) to 9 (smallest), as {@link java.util.zip.Deflater} counts them
   * @return a new compressor, closed by the transport
   * @throws LinkageError when the native code it needs cannot be loaded on this platform
   * @throws RuntimeException when it cannot start for another reason
   */
  GzipCompressor create(int level);
}
