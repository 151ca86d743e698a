package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a directory really holds on disk: its files' allocated blocks ({@code st_blocks}, as
 * {@code du} counts them, so sparse files count only what was written), plus the journal files
 * already deleted whose blocks a mapping of this process still pins. Linux only.
 */
final class AllocatedBytes {
  private AllocatedBytes() {}

  static boolean supported() {
    return System.getProperty("os.name").toLowerCase().contains("linux") && Files.exists(Path.of("/proc/self/maps"));
  }

  /**
   * {@code du -s -B1}: the bytes allocated to the directory's files. The spool deletes delivered
   * roll cycles while tests sample it, so a file can vanish between {@code du}'s listing and its
   * {@code stat} ("cannot access …: No such file or directory"); such a walk is measured again.
   */
  static long of(Path dir) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      Process p = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      if (p.exitValue() != 0 && out.contains("No such file or directory") && attempt < 100) {
        continue; // a file deleted during the walk
      }
      assertThat(p.exitValue()).as("du: %s", out).isZero();
      String[] lines = out.split("\n");
      return Long.parseLong(lines[lines.length - 1].split("\\s+")[0]);
    }
  }

  /** Files under {@code dir} that were deleted while this process still maps them. */
  static List<String> deletedButMapped(Path dir) throws IOException {
    String prefix = dir.toAbsolutePath().toString();
    return Files.readAllLines(Path.of("/proc/self/maps")).stream()
        .filter(l -> l.contains(prefix) && l.endsWith("(deleted)"))
        .map(l -> l.substring(l.indexOf(prefix)))
        .distinct()
        .collect(Collectors.toList());
  }
}
