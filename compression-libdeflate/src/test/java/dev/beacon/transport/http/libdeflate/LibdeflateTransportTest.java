package dev.beacon.transport.http.libdeflate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.QueueFullPolicy;
import dev.beacon.Stats;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.ReceivedRequest;
import dev.beacon.transport.http.HttpTransport;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With this module on the class path, {@link HttpTransport} finds libdeflate by itself, unless
 * told {@code "jdk"}; batches it compresses arrive whole at the testkit's collector; and where the
 * native library cannot load the transport still starts, on the JDK's compressor.
 */
class LibdeflateTransportTest {
  private static final String KEY = "libdeflate-test-write-key";
  private static final URI LOCAL = URI.create("http://127.0.0.1:9");

  @Test
  void serviceLoaderFindsLibdeflate() {
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).build()) {
      assertThat(t.gzipCompressor()).isEqualTo("libdeflate");
      assertThat(t.toString()).contains("libdeflate").doesNotContain(KEY);
    }
  }

  @Test
  void jdkForcesTheJdkCompressorAndGzipOffUsesNone() {
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipCompressor("jdk").build()) {
      assertThat(t.gzipCompressor()).isEqualTo("jdk");
    }
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzip(false).build()) {
      assertThat(t.gzipCompressor()).isNull();
    }
  }

  @Test
  void deliversEveryEventThroughLibdeflateToTheCollector() throws Exception {
    int events = 20_000;
    try (CollectorServer server = CollectorServer.builder().writeKey(KEY).maxRecordedMessages(events).build().start()) {
      HttpTransport http = HttpTransport.builder(KEY).endpoint(server.uri()).gzipLevel(6).build();
      assertThat(http.gzipCompressor()).isEqualTo("libdeflate");
      List<String> sent = new ArrayList<>(events);
      Stats stats;
      try (Analytics analytics = Analytics.builder(KEY).transport(http).shutdownHook(false).flushAt(1_000)
          .flushInterval(Duration.ofHours(1)).queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(60)))
          .build()) {
        for (int i = 0; i < events; i++) {
          Map<String, Object> props = Map.of("i", i, "sku", "sku-" + (i % 97), "price", i / 100.0);
          assertThat(analytics.track("user-" + (i % 1024), "Order Completed", props)).isTrue();
        }
        assertThat(analytics.flush(Duration.ofSeconds(60)).complete()).isTrue();
        stats = analytics.stats();
      }
      assertThat(stats.delivered()).isEqualTo(events);
      assertThat(stats.failed()).isZero();
      List<CapturedMessage> received = server.awaitMessages(events, Duration.ofSeconds(30));
      Set<String> ids = new HashSet<>();
      for (CapturedMessage m : received) {
        ids.add(m.messageId());
      }
      assertThat(ids).hasSize(events);
      assertThat(server.requests()).isNotEmpty().allSatisfy((ReceivedRequest r) -> {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentEncoding()).isEqualTo("gzip");
        assertThat(r.uncompressedBytes()).isGreaterThan(4 * r.bodyBytes());
      });
    }
  }

  /**
   * A JVM where jlibdeflate finds no native library (its {@code jlibdeflate.library.path} points
   * at an empty directory): the transport starts on the JDK's compressor, logs one warning, and
   * still delivers. Run in a child JVM because a JVM loads a native library, or fails to, once.
   */
  @Test
  void withoutItsNativeLibraryTheTransportFallsBackToTheJdkWithOneWarning(@TempDir Path empty) throws Exception {
    try (CollectorServer server = CollectorServer.builder().writeKey(KEY).build().start()) {
      String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
      // The child's output goes to a file: reading a pipe would block on a hung child with no bound.
      Path log = Files.createTempFile(empty.getParent(), "no-native", ".log");
      List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-Djlibdeflate.library.path=" + empty));
      if (Runtime.version().feature() >= 24) {
        // As bin/beacon does: without it the JVM warns of JNI's System.load on stderr.
        cmd.add("--enable-native-access=ALL-UNNAMED");
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NoNativeProbe.class.getName(),
          server.uri().toString(), KEY));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean exited = p.waitFor(3, TimeUnit.MINUTES);
      if (!exited) {
        p.destroyForcibly().waitFor();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      assertThat(exited).as("the child exited by itself; its output: %s", out).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("compressor=jdk", "outcome=DELIVERED")
          .contains("gzip compressor 'libdeflate' could not start", "UnsatisfiedLinkError")
          .doesNotContain(KEY).doesNotContain("Exception in thread");
      assertThat(out.lines().filter(l -> l.contains("WARN") && !l.startsWith("WARNING:"))).as(out).hasSize(1);
      assertThat(server.awaitMessages(1, Duration.ofSeconds(20))).hasSize(1);
    }
    try (var files = Files.list(empty)) {
      assertThat(files).isEmpty();
    }
  }

  /** The child JVM of the fallback test: builds a transport, sends one batch, prints the outcome. */
  static final class NoNativeProbe {
    private NoNativeProbe() {}

    public static void main(String[] args) throws Exception {
      try (HttpTransport t = HttpTransport.builder(args[1]).endpoint(URI.create(args[0])).build()) {
        var batch = dev.beacon.spi.Batch.of(List.of(dev.beacon.Track.builder("Fallback").userId("u1").build()));
        var r = t.send(batch).get(30, TimeUnit.SECONDS);
        System.out.println("compressor=" + t.gzipCompressor() + " outcome=" + r.outcome());
      }
    }
  }
}
