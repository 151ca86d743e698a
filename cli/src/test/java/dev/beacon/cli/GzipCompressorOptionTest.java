package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.testkit.CollectorServer;
import dev.beacon.transport.http.HttpTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The CLI ships beacon-compression-libdeflate: {@code import}, {@code send} and {@code relay}
 * deliver through an {@link HttpTransport} that gzips with libdeflate unless
 * {@code --gzip-compressor jdk} says otherwise.
 */
class GzipCompressorOptionTest {
  private static final String KEY = "gzip-compressor-test-key";

  @TempDir Path dir;

  private static ClientOptions options(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("--endpoint", "http://127.0.0.1:9", "--write-key", KEY));
    all.addAll(List.of(args));
    return CommandLine.populateCommand(new ClientOptions(), all.toArray(String[]::new));
  }

  @Test
  void theCommandsTransportGzipsWithLibdeflateByDefault() {
    HttpTransport transport = options().transport(KEY, null);
    try {
      assertThat(transport.gzipCompressor()).isEqualTo("libdeflate");
    } finally {
      transport.close();
    }
  }

  @Test
  void gzipCompressorJdkChoosesTheJdksDeflater() {
    HttpTransport transport = options("--gzip-compressor", "jdk").transport(KEY, null);
    try {
      assertThat(transport.gzipCompressor()).isEqualTo("jdk");
    } finally {
      transport.close();
    }
  }

  @Test
  void anUnknownCompressorIsAUsageErrorNamingTheOption() {
    assertThatThrownBy(() -> options("--gzip-compressor", "zopfli").transport(KEY, null))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageStartingWith("--gzip-compressor 'zopfli' matches none of the compressors found")
        .hasMessageContaining("libdeflate");
  }

  @Test
  void aBlankCompressorIsAUsageErrorNamingTheChoices() {
    assertThatThrownBy(() -> options("--gzip-compressor", " ").transport(KEY, null))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessage("--gzip-compressor must name a compressor (libdeflate or jdk) but was ' '");
  }

  @Test
  void importWithDebugSaysWhichCompressorGzipsAndDelivers() throws Exception {
    Path f = dir.resolve("two.ndjson");
    Files.write(f, List.of(
        "{\"messageId\":\"g-1\",\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Order Completed\"}",
        "{\"messageId\":\"g-2\",\"type\":\"identify\",\"userId\":\"u2\",\"traits\":{\"plan\":\"premium\"}}"));
    try (CollectorServer collector = CollectorServer.builder().writeKey(KEY).build().start()) {
      // A child JVM: slf4j-simple writes the debug line to the process's standard error.
      Cli.Run r = Cli.child(dir, Duration.ofMinutes(3), "import", "--debug", "--no-progress",
          "--endpoint", collector.uri().toString(), "--write-key-file", Cli.keyFile(dir, KEY).toString(), f.toString());

      assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.OK);
      assertThat(r.err()).contains("HTTP transport: gzip compressor libdeflate").doesNotContain("WARN");
      assertThat(r.out()).contains("delivered 2, failed 0");
      assertThat(collector.messages()).hasSize(2);
    }
  }

  @Test
  void fallsBackToTheJdksDeflaterWithOneWarningWhenLibdeflatesNativeCannotLoad() throws Exception {
    Path f = dir.resolve("one.ndjson");
    Files.write(f, List.of("{\"messageId\":\"f-1\",\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Viewed\"}"));
    try (CollectorServer collector = CollectorServer.builder().writeKey(KEY).build().start()) {
      // jlibdeflate copies its native library to java.io.tmpdir before loading it: a missing
      // directory makes the load fail with an UnsatisfiedLinkError, as an unsupported platform would.
      Cli.Run r = Cli.start(dir, List.of("-Djava.io.tmpdir=" + dir.resolve("missing")), "import", "--debug",
          "--no-progress", "--endpoint", collector.uri().toString(), "--write-key-file",
          Cli.keyFile(dir, KEY).toString(), f.toString()).await(Duration.ofMinutes(3));

      assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.OK);
      // Beacon's log lines (the JVM's own "WARNING: ..." lines, e.g. Java 25's about the missing
      // java.io.tmpdir, are not Beacon's).
      assertThat(r.err().lines().filter(l -> l.startsWith("WARN "))).as(r.err()).hasSize(1);
      assertThat(r.err()).contains("gzip compressor 'libdeflate' could not start (java.lang.UnsatisfiedLinkError")
          .contains("HTTP transport: gzip compressor jdk").doesNotContain(KEY);
      assertThat(r.out()).contains("delivered 1, failed 0");
      assertThat(collector.messages()).hasSize(1);
    }
  }
}
