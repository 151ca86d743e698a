package dev.beacon.transport.http.libdeflate;

import com.fulcrumgenomics.jlibdeflate.LibdeflateCompressor;
import dev.beacon.transport.http.spi.GzipCompressor;
import java.util.Objects;

/**
 * One libdeflate compressor (native memory, freed by {@link #close()}) writing gzip members in one
 * call. libdeflate compresses a whole buffer at once, with no streaming state, into an output it
 * never outgrows: its own bound ({@code libdeflate_gzip_compress_bound}) sizes that output.
 */
final class LibdeflateGzipCompressor implements GzipCompressor {
  private final LibdeflateCompressor compressor;
  private boolean closed;

  LibdeflateGzipCompressor(int level) {
    this.compressor = new LibdeflateCompressor(level);
  }

  @Override
  public int maxCompressedLength(int inputLength) {
    ensureOpen();
    if (inputLength < 0) {
      throw new IllegalArgumentException("inputLength must be 0 or more but was " + inputLength);
    }
    // libdeflate's own bound, checked by jlibdeflate to fit in an int (IllegalArgumentException else).
    return compressor.gzipCompressBound(inputLength);
  }

  @Override
  public int compress(byte[] input, int offset, int length, byte[] output) {
    ensureOpen();
    Objects.checkFromIndexSize(offset, length, input.length);
    int bound = maxCompressedLength(length);
    if (output.length < bound) {
      throw new IllegalArgumentException("output has " + output.length + " bytes, under the bound of " + bound);
    }
    int n = compressor.gzipCompress(input, offset, length, output, 0, output.length);
    if (n <= 0) {
      // Cannot happen within libdeflate's bound; never hand on a body that is not one.
      throw new IllegalStateException("libdeflate could not compress " + length + " bytes into " + output.length);
    }
    return n;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the libdeflate compressor is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    compressor.close();
  }
}
