package dev.beacon.transport.http.libdeflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumgenomics.jlibdeflate.LibdeflateCompressor;
import dev.beacon.transport.http.spi.GzipCompressor;
import dev.beacon.transport.http.spi.GzipCompressorContract;
import dev.beacon.transport.http.spi.GzipCompressorProvider;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** libdeflate passes the compressor kit, at the level it is asked for. */
class LibdeflateGzipCompressorTest extends GzipCompressorContract {
  @Override
  protected GzipCompressorProvider provider() {
    return new LibdeflateGzipCompressorProvider();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 6, 9})
  void compressesAtTheLevelItWasCreatedWith(int level) {
    byte[] input = jsonLike(300_000, level);
    byte[] expected;
    try (LibdeflateCompressor direct = new LibdeflateCompressor(level)) {
      expected = direct.gzipCompress(input);
    }
    try (GzipCompressor c = provider().create(level)) {
      byte[] out = new byte[c.maxCompressedLength(input.length)];
      int n = c.compress(input, 0, input.length, out);
      assertThat(Arrays.copyOf(out, n)).isEqualTo(expected);
    }
  }

  @Test
  void refusesLevelsTheTransportNeverUses() {
    assertThatThrownBy(() -> provider().create(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("level");
    assertThatThrownBy(() -> provider().create(10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isNamedAndRankedAboveTheDefault() {
    assertThat(provider().name()).isEqualTo("libdeflate");
    assertThat(provider().priority()).isPositive();
  }
}
