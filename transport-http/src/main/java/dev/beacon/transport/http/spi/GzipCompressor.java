package dev.beacon.transport.http.spi;

/**
 * Compresses one whole request body into one gzip member (RFC 1952), exactly what
 * {@code Content-Encoding: gzip} needs: the 10-byte header, the body as raw deflate at the level
 * the compressor was created with, then the CRC-32 and the length modulo 2<sup>32</sup> (ISIZE) of
 * the uncompressed body, both little-endian.
 *
 * <p>An instance is used by one thread at a time (the transport pools them and never shares one
 * between two calls in progress) and reused for many bodies; {@link #close()} frees whatever it
 * holds (native memory, handles). Created by a {@link GzipCompressorProvider}.
 */
public interface GzipCompressor extends AutoCloseable {
  /**
   * Returns the most bytes {@link #compress} can write for an input of {@code inputLength} bytes,
   * framing included, however incompressible the input. The transport sizes the output buffer
   * with it, so it must hold for every input of that length.
   *
   * @param inputLength 0 or more
   * @return the bound, at least {@code inputLength}
   * @throws IllegalArgumentException when the bound does not fit in an {@code int}
   */
  int maxCompressedLength(int inputLength);

  /**
   * Compresses {@code input[offset, offset + length)} into {@code output}, starting at index 0.
   *
   * @param input the uncompressed body
   * @param offset where the body starts in {@code input}
   * @param length the body's length (0 gives a valid gzip member of an empty body)
   * @param output at least {@link #maxCompressedLength(int) maxCompressedLength(length)} bytes
   * @return the number of bytes written to {@code output}
   * @throws IllegalArgumentException when {@code output} is shorter than the bound
   * @throws IndexOutOfBoundsException when the range is outside {@code input}
   * @throws IllegalStateException when the compressor failed or was closed
   */
  int compress(byte[] input, int offset, int length, byte[] output);

  /** Frees the compressor's resources; it is not used afterwards. Safe to call more than once. */
  @Override
  void close();
}
