package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.transport.http.spi.GzipCompressor;
import dev.beacon.transport.http.spi.GzipCompressorContract;
import dev.beacon.transport.http.spi.GzipCompressorProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The built-in compressor passes the kit and writes what {@link GZIPOutputStream} writes. */
class JdkGzipCompressorTest extends GzipCompressorContract {
  @Override
  protected GzipCompressorProvider provider() {
    return new JdkGzipCompressor.Provider();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 6, 9})
  void writesTheSameBytesAsGzipOutputStreamAtTheSameLevel(int level) throws IOException {
    for (int size : new int[] {0, 100, 32_769, 500_000}) {
      byte[] input = jsonLike(size, size);
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      try (OutputStream gz = new GZIPOutputStream(expected, 8192) {
        {
          def.setLevel(level);
        }
      }) {
        gz.write(input);
      }
      try (GzipCompressor c = provider().create(level)) {
        byte[] out = new byte[c.maxCompressedLength(size)];
        int n = c.compress(input, 0, size, out);
        assertThat(Arrays.copyOf(out, n)).as("size %d", size).isEqualTo(expected.toByteArray());
      }
    }
  }
}
