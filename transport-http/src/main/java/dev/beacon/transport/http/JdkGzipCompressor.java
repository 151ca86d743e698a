package dev.beacon.transport.http;

import dev.beacon.transport.http.spi.GzipCompressor;
import dev.beacon.transport.http.spi.GzipCompressorProvider;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The built-in {@link GzipCompressor}: a reused {@link Deflater} (raw deflate) and {@link CRC32},
 * framed as {@link java.util.zip.GZIPOutputStream} frames its output (same header, same
 * trailer), so the bytes equal what that stream writes at the same level. The body is fed in
 * 32 KB slices, each checksummed and deflated while it is still in the CPU's cache, as the
 * transport's stream did before the compressor became pluggable.
 */
final class JdkGzipCompressor implements GzipCompressor {
  /**
   * GZIPOutputStream's header since JDK 16 (JDK-8244706): magic, CM = deflate, no flags, no mtime,
   * no XFL, OS 255 ("unknown", RFC 1952).
   */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};
  private static final int TRAILER = 8;
  private static final int SLICE = 32 * 1024;

  private final Deflater deflater;
  private final CRC32 crc = new CRC32();
  private boolean closed;

  JdkGzipCompressor(int level) {
    this.deflater = new Deflater(level, true);
  }

  /**
   * zlib at any level never writes more than the input as stored blocks of at most 64 KB, 5
   * bytes of block header each, plus the final block's: n + n/1024 + 64 covers that with room.
   */
  @Override
  public int maxCompressedLength(int inputLength) {
    if (inputLength < 0) {
      throw new IllegalArgumentException("inputLength must be 0 or more but was " + inputLength);
    }
    long bound = (long) inputLength + (inputLength >>> 10) + 64 + HEADER.length + TRAILER;
    if (bound > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a gzip body of " + inputLength + " bytes does not fit in an array");
    }
    return (int) bound;
  }

  @Override
  public int compress(byte[] input, int offset, int length, byte[] output) {
    if (closed) {
      throw new IllegalStateException("the JDK gzip compressor is closed");
    }
    Objects.checkFromIndexSize(offset, length, input.length);
    int bound = maxCompressedLength(length);
    if (output.length < bound) {
      throw new IllegalArgumentException("output has " + output.length + " bytes, under the bound of " + bound);
    }
    deflater.reset();
    crc.reset();
    System.arraycopy(HEADER, 0, output, 0, HEADER.length);
    int n = HEADER.length;
    int limit = output.length - TRAILER;
    int end = offset + length;
    for (int p = offset; p < end; p += SLICE) {
      int slice = Math.min(SLICE, end - p);
      crc.update(input, p, slice);
      deflater.setInput(input, p, slice);
      while (!deflater.needsInput()) {
        n = deflateInto(output, n, limit, length);
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      n = deflateInto(output, n, limit, length);
    }
    writeIntLe(output, n, (int) crc.getValue());
    writeIntLe(output, n + 4, length);
    return n + TRAILER;
  }

  private int deflateInto(byte[] output, int n, int limit, int length) {
    if (n >= limit) {
      // Cannot happen with maxCompressedLength's bound; never loop on a full buffer.
      throw new IllegalStateException("deflate of " + length + " bytes outgrew its bound of " + output.length);
    }
    return n + deflater.deflate(output, n, limit - n);
  }

  private static void writeIntLe(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  @Override
  public void close() {
    closed = true;
    deflater.end();
  }

  /** Creates {@link JdkGzipCompressor}s; built in, never looked up with ServiceLoader. */
  static final class Provider implements GzipCompressorProvider {
    Provider() {}

    @Override
    public String name() {
      return JDK;
    }

    @Override
    public GzipCompressor create(int level) {
      return new JdkGzipCompressor(level);
    }
  }
}
