package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** DeflateBenchmark measures real gzip of Beacon's body on every path, and counts what it measures. */
class DeflateBenchmarkTest {

  @ParameterizedTest
  @ValueSource(ints = {100, 500})
  void everyPathGzipsTheBatchBodyAndCountsItsBytes(int messages) throws IOException {
    DeflateBenchmark b = new DeflateBenchmark();
    b.messages = messages;
    b.setUp();
    try {
      assertThat(b.batch.size()).isEqualTo(messages);
      assertThat(new String(b.body, StandardCharsets.UTF_8)).startsWith("{\"batch\":[{").contains("Order Completed");

      DeflateBenchmark.Bytes jdk = new DeflateBenchmark.Bytes();
      int jdkSize = b.jdkDeflater(jdk);
      DeflateBenchmark.Bytes lib = new DeflateBenchmark.Bytes();
      int libSize = b.libdeflate(lib);
      DeflateBenchmark.Bytes jdkT = new DeflateBenchmark.Bytes();
      byte[] jdkBody = b.jdkTransport(jdkT);
      DeflateBenchmark.Bytes libT = new DeflateBenchmark.Bytes();
      byte[] libBody = b.libdeflateTransport(libT);
      DeflateBenchmark.Bytes jdkP = new DeflateBenchmark.Bytes();
      byte[] jdkPooled = b.pooledJdk(jdkP);
      DeflateBenchmark.Bytes libP = new DeflateBenchmark.Bytes();
      byte[] libPooled = b.pooledLibdeflate(libP);

      assertThat(gunzip(jdkBody)).isEqualTo(b.body);
      assertThat(gunzip(libBody)).isEqualTo(b.body);
      assertThat(gunzip(jdkPooled)).isEqualTo(b.body);
      assertThat(gunzip(libPooled)).isEqualTo(b.body);
      for (DeflateBenchmark.Bytes c : new DeflateBenchmark.Bytes[] {jdk, lib, jdkT, libT, jdkP, libP}) {
        assertThat(c.inputBytes).isEqualTo(b.body.length);
        assertThat(c.outputBytes).isPositive().isLessThan(b.body.length / 4);
        assertThat(c.cpuNanos).isNotNegative();
      }
      assertThat(jdk.outputBytes).isEqualTo(jdkSize);
      assertThat(lib.outputBytes).isEqualTo(libSize);
      assertThat(jdkT.outputBytes).isEqualTo(jdkBody.length);
      assertThat(libT.outputBytes).isEqualTo(libBody.length);
      // The same compressor and level through the stream or in one call: the same deflate stream.
      assertThat(jdkBody.length).isEqualTo(jdkSize);
      // The transport's pooled paths write what the stream path and libdeflate alone write.
      assertThat(jdkPooled).isEqualTo(jdkBody);
      assertThat(libPooled.length).isEqualTo(libSize);
    } finally {
      b.tearDown();
    }
  }

  @Test
  void aPathWhoseOutputIsNotTheBodyFailsTheSetUpCheck() throws IOException {
    DeflateBenchmark b = new DeflateBenchmark();
    b.messages = 100;
    b.setUp();
    try {
      ByteArrayOutputStream other = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(other)) {
        gz.write(b.body, 0, b.body.length - 1);
      }
      assertThatThrownBy(() -> b.check("truncated", other.toByteArray()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("truncated");
    } finally {
      b.tearDown();
    }
  }

  private static byte[] gunzip(byte[] gzip) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    }
  }
}
