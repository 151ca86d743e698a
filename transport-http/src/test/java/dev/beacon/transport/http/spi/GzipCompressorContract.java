package dev.beacon.transport.http.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compatibility kit of {@link GzipCompressor}: what every implementation's test extends. Each
 * output must be one gzip member that {@link GZIPInputStream} decodes to the exact input, at every
 * size (empty, around the 32 KB slices and 64 KB blocks, a full 500 KB batch, over 1 MB), for
 * incompressible and JSON-like input, at levels 1, 6 and 9, within
 * {@link GzipCompressor#maxCompressedLength(int)}.
 */
public abstract class GzipCompressorContract {
  /** Sizes around every boundary an implementation may have, up to past 1 MB. */
  protected static final int[] SIZES = {0, 1, 2, 100, 4_095, 32_767, 32_768, 32_769, 65_535, 65_536, 65_543,
      500_000, 1_500_001};

  /** For subclasses: one per implementation. */
  protected GzipCompressorContract() {}

  /**
   * Returns the provider under test.
   *
   * @return a provider whose compressors can start on this machine
   */
  protected abstract GzipCompressorProvider provider();

  @ParameterizedTest
  @ValueSource(ints = {1, 6, 9})
  void gunzipsToTheExactInputAtEverySizeForRandomAndJsonLikeBodies(int level) {
    try (GzipCompressor c = provider().create(level)) {
      for (int size : SIZES) {
        for (byte[] input : List.of(random(size, size), jsonLike(size, size))) {
          byte[] out = new byte[c.maxCompressedLength(size)];
          int n = c.compress(input, 0, size, out);
          assertThat(n).as("size %d level %d", size, level).isPositive().isLessThanOrEqualTo(out.length);
          assertThat(gunzip(Arrays.copyOf(out, n))).as("size %d level %d", size, level).isEqualTo(input);
        }
      }
    }
  }

  @Test
  void writesTheGzipHeaderAndACrc32AndLengthTrailer() {
    byte[] input = jsonLike(70_000, 7);
    try (GzipCompressor c = provider().create(1)) {
      byte[] out = new byte[c.maxCompressedLength(input.length)];
      int n = c.compress(input, 0, input.length, out);
      assertThat(Arrays.copyOf(out, 3)).containsExactly(0x1f, 0x8b, 8);
      CRC32 crc = new CRC32();
      crc.update(input);
      assertThat(intLe(out, n - 8)).isEqualTo((int) crc.getValue());
      assertThat(intLe(out, n - 4)).isEqualTo(input.length);
    }
  }

  @Test
  void compressesOnlyTheGivenRange() {
    byte[] input = jsonLike(200_000, 3);
    try (GzipCompressor c = provider().create(1)) {
      byte[] out = new byte[c.maxCompressedLength(100_000)];
      int n = c.compress(input, 50_000, 100_000, out);
      assertThat(gunzip(Arrays.copyOf(out, n))).isEqualTo(Arrays.copyOfRange(input, 50_000, 150_000));
    }
  }

  @Test
  void aHigherLevelGivesASmallerBodyOfJson() {
    byte[] input = jsonLike(500_000, 11);
    int fast;
    int small;
    try (GzipCompressor c = provider().create(1)) {
      fast = c.compress(input, 0, input.length, new byte[c.maxCompressedLength(input.length)]);
    }
    try (GzipCompressor c = provider().create(9)) {
      small = c.compress(input, 0, input.length, new byte[c.maxCompressedLength(input.length)]);
    }
    assertThat(small).isLessThan(fast);
  }

  @Test
  void isReusedForManyBodiesInTurn() {
    try (GzipCompressor c = provider().create(1)) {
      List<byte[]> inputs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        inputs.add(i % 2 == 0 ? jsonLike(1_000 * (i + 1) * 37, i) : random(1_000 * i, i));
      }
      byte[] out = new byte[c.maxCompressedLength(1_000 * 20 * 37)];
      for (byte[] input : inputs) {
        int n = c.compress(input, 0, input.length, out);
        assertThat(gunzip(Arrays.copyOf(out, n))).isEqualTo(input);
      }
    }
  }

  @Test
  void refusesAnOutputShorterThanTheBound() {
    byte[] input = random(10_000, 5);
    try (GzipCompressor c = provider().create(1)) {
      assertThatThrownBy(() -> c.compress(input, 0, input.length, new byte[c.maxCompressedLength(input.length) - 1]))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> c.compress(input, 9_000, 2_000, new byte[c.maxCompressedLength(2_000)]))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void boundHoldsTheWorstCaseAndRefusesNegativeLengths() {
    try (GzipCompressor c = provider().create(9)) {
      assertThat(c.maxCompressedLength(0)).isGreaterThanOrEqualTo(18);
      assertThat(c.maxCompressedLength(1 << 20)).isGreaterThan(1 << 20);
      assertThatThrownBy(() -> c.maxCompressedLength(-1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closeIsIdempotentAndACompressAfterItFails() {
    GzipCompressor c = provider().create(1);
    c.close();
    c.close();
    assertThatThrownBy(() -> c.compress(new byte[10], 0, 10, new byte[1_000]))
        .isInstanceOf(IllegalStateException.class);
  }

  /**
   * Decodes one gzip body.
   *
   * @param gzip the body
   * @return the decoded bytes
   */
  protected static byte[] gunzip(byte[] gzip) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Incompressible bytes.
   *
   * @param size length
   * @param seed the random seed
   * @return the bytes
   */
  protected static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < size; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /**
   * Bytes like a Segment batch body: track messages with random ids and repeated field names.
   *
   * @param size length (the last message is cut to fit)
   * @param seed the random seed
   * @return the bytes
   */
  protected static byte[] jsonLike(int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder(size + 400);
    sb.append("{\"batch\":[");
    while (sb.length() < size) {
      sb.append("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"user-").append(r.nextInt(1024))
          .append("\",\"messageId\":\"").append(Long.toHexString(r.nextLong())).append(Long.toHexString(r.nextLong()))
          .append("\",\"timestamp\":\"2026-12-08T02:").append(10 + r.nextInt(50)).append(":00.000Z\",")
          .append("\"properties\":{\"revenue\":").append(r.nextInt(100_000) / 100.0)
          .append(",\"currency\":\"EUR\",\"sku\":\"sku-").append(r.nextInt(5000)).append("\"}},");
    }
    return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.UTF_8), size);
  }

  private static int intLe(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
  }
}
