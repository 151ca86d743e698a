package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CollectorServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archives {@code mvn package} makes (issue 15): what they contain, and that the
 * unpacked launcher runs with nothing but a JDK — no Maven, no source checkout, an empty
 * environment apart from {@code JAVA_HOME} and a basic {@code PATH}. Run by Failsafe after package.
 */
class DistributionIT {
  private static final String VERSION = System.getProperty("beacon.dist.version");
  private static final Path TARGET = Path.of(System.getProperty("beacon.dist.directory", "target"));
  private static final String BASE = "beacon-" + VERSION + "/";

  /** A tar entry: its mode bits and content. */
  record Entry(int mode, byte[] content) {}

  private static Map<String, Entry> tarEntries;

  @BeforeAll
  static void readTheTarball() throws IOException {
    assertThat(VERSION).as("beacon.dist.version, set by the pom").isNotBlank();
    tarEntries = readTarGz(TARGET.resolve("beacon-" + VERSION + ".tar.gz"));
  }

  @Test
  void theTarballHoldsTheExecutableLauncherTheShadedJarAndTheReadme() {
    assertThat(tarEntries).containsKeys(BASE + "bin/beacon", BASE + "lib/beacon-cli.jar", BASE + "README.md");
    assertThat(tarEntries.get(BASE + "bin/beacon").mode() & 0111).as("launcher is executable").isEqualTo(0111);
    assertThat(text(BASE + "bin/beacon")).startsWith("#!/usr/bin/env bash\n").doesNotContain("\r")
        .contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED").contains("lib/beacon-cli.jar");
    assertThat(text(BASE + "README.md")).contains("beacon " + VERSION).doesNotContain("${project.version}");
    // The README points at docs/cli.md "in this archive": the docs travel with the tool.
    assertThat(tarEntries).containsKeys(BASE + "docs/cli.md", BASE + "docs/kafka.md", BASE + "docs/tracking-plans.md");
    assertThat(text(BASE + "docs/cli.md")).contains("## `beacon relay`");
    assertThat(tarEntries.get(BASE + "lib/beacon-cli.jar").content().length).isGreaterThan(1_000_000);
  }

  @Test
  void theZipHoldsTheSameFiles() throws IOException {
    try (ZipFile zip = new ZipFile(TARGET.resolve("beacon-" + VERSION + ".zip").toFile())) {
      List<String> files = zip.stream().filter(e -> !e.isDirectory()).map(ZipEntry::getName).toList();
      assertThat(files).containsExactlyInAnyOrderElementsOf(tarEntries.keySet());
      ZipEntry launcher = zip.getEntry(BASE + "bin/beacon");
      try (InputStream in = zip.getInputStream(launcher)) {
        assertThat(in.readAllBytes()).isEqualTo(tarEntries.get(BASE + "bin/beacon").content());
      }
    }
  }

  @Test
  void theUnpackedLauncherRunsWithOnlyAJdk(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);

    Cli.Run help = launch(dir, home, "--help");
    assertThat(help.exit()).as(help.all()).isZero();
    assertThat(help.out()).contains("Usage: beacon").contains("import").contains("send").contains("collect")
        .contains("validate").contains("relay");

    Cli.Run version = launch(dir, home, "--version");
    assertThat(version.out().strip()).isEqualTo("beacon " + VERSION);

    Cli.Run dryRun = launch(dir, home, "send", "track", "--user-id", "u", "--event", "E", "--dry-run");
    assertThat(dryRun.exit()).as(dryRun.all()).isZero();
    assertThat(dryRun.out()).contains("\"event\":\"E\"");
  }

  @Test
  void theLauncherGivesTheSpoolItsJvmFlags(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);
    Path events = dir.resolve("events.ndjson");
    Files.writeString(events, "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Spooled\","
        + "\"timestamp\":\"2024-01-15T10:30:00Z\"}\n", StandardCharsets.UTF_8);
    try (CollectorServer collector = CollectorServer.builder().build().start()) {
      Cli.Run r = launch(dir, home, "import", "--no-progress", "--spool", dir.resolve("spool").toString(),
          "--endpoint", collector.uri().toString(), "--write-key", collector.writeKey(), events.toString());

      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.out()).contains("delivered 1");
      assertThat(r.err()).doesNotContain("could not open its spool").doesNotContain("JVM flags");
      assertThat(collector.messages()).singleElement().satisfies(m -> assertThat(m.event()).isEqualTo("Spooled"));
    }
  }

  @Test
  void theShadedJarGzipsWithLibdeflate(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);
    Path events = dir.resolve("events.ndjson");
    Files.writeString(events, "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Compressed\"}\n",
        StandardCharsets.UTF_8);
    try (CollectorServer collector = CollectorServer.builder().build().start()) {
      // The provider is found through the shaded jar's merged META-INF/services entry, and its
      // native library loads from the same jar.
      Cli.Run r = launch(dir, home, "import", "--no-progress", "--debug", "--endpoint", collector.uri().toString(),
          "--write-key", collector.writeKey(), events.toString());

      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.err()).contains("HTTP transport: gzip compressor libdeflate").doesNotContain("WARN");
      assertThat(collector.messages()).singleElement().satisfies(m -> assertThat(m.event()).isEqualTo("Compressed"));
    }
  }

  private static String text(String entry) {
    return new String(tarEntries.get(entry).content(), StandardCharsets.UTF_8);
  }

  /** Writes the tarball's files under {@code dir}, with their executable bits; returns the base directory. */
  private static Path unpack(Path dir) throws IOException {
    for (Map.Entry<String, Entry> e : tarEntries.entrySet()) {
      Path f = dir.resolve(e.getKey()).normalize();
      assertThat(f.startsWith(dir)).as("%s stays inside the directory", e.getKey()).isTrue();
      Files.createDirectories(f.getParent());
      Files.write(f, e.getValue().content());
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(
          (e.getValue().mode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
    }
    return dir.resolve(BASE);
  }

  /** Runs the launcher from outside the repository with an empty environment but JAVA_HOME and PATH. */
  private static Cli.Run launch(Path dir, Path home, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/beacon").toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "launcher", ".out");
    Path err = Files.createTempFile(dir, "launcher", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/bin:/bin");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("HOME", dir.toString());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("the launcher did not exit; stderr: " + Files.readString(err));
    }
    return new Cli.Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Reads a POSIX (ustar/pax) tar.gz: regular files only, pax extended headers skipped. */
  static Map<String, Entry> readTarGz(Path file) throws IOException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        if (header[0] == 0) {
          break; // end-of-archive block
        }
        String name = field(header, 0, 100);
        int mode = (int) octal(header, 100, 8);
        long size = octal(header, 124, 12);
        char type = (char) header[156];
        String prefix = field(header, 345, 155);
        byte[] content = in.readNBytes((int) size);
        in.readNBytes((int) ((512 - size % 512) % 512));
        if (type == '0' || type == 0) {
          entries.put(prefix.isEmpty() ? name : prefix + "/" + name, new Entry(mode, content));
        }
      }
    }
    return entries;
  }

  private static String field(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.US_ASCII);
  }

  private static long octal(byte[] h, int off, int len) {
    String s = field(h, off, len).trim();
    return s.isEmpty() ? 0 : Long.parseLong(s, 8);
  }
}
