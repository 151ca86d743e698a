package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.SpoolDurability;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a child JVM that writes the journal: committed records survive, a torn write heals. */
class ChronicleSpoolKillTest {
  /**
   * Opening must not wait out Chronicle's default 10 s header-recovery timeout (the spool sets
   * 500 ms). Bounded at that 10 s, which a regression cannot beat, rather than at 5 s, which a
   * busy machine's slow queue open (about 1 s when idle) could approach.
   */
  private static final long RECOVERY_BOUND_MS = 10_000;

  @TempDir Path dir;

  private static Process child(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("-Ddisable")
            || a.startsWith("--enable-native") || a.startsWith("--sun-misc"))
        .toList());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChildJournal.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static ChronicleSpool open(Path dir) throws IOException {
    return ChronicleSpool.open(dir, 1L << 30, SpoolDurability.PROCESS_CRASH, ChronicleSpool.Settings.DEFAULT);
  }

  @Test
  void committedRecordsSurviveKill9AtRandomMoments() throws Exception {
    Random random = new Random(7);
    int next = 0;
    for (int trial = 0; trial < 3; trial++) {
      Process p = child("append", dir.toString(), Integer.toString(next));
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).startsWith("READY");
      long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50 + random.nextInt(300));
      int lastCommitted = next - 1;
      String line;
      while (System.nanoTime() < killAt && (line = out.readLine()) != null) {
        lastCommitted = Integer.parseInt(line.trim());
      }
      p.destroyForcibly(); // SIGKILL
      p.waitFor(10, TimeUnit.SECONDS);

      try (ChronicleSpool spool = open(dir)) {
        List<String> read = Journals.readAll(spool);
        assertThat(read.size()).as("trial %d: committed up to %d", trial, lastCommitted)
            .isGreaterThanOrEqualTo(lastCommitted + 1);
        for (int i = 0; i < read.size(); i++) {
          assertThat(read.get(i)).isEqualTo(Journals.record(i)); // in order, no gap
        }
        assertThat(spool.corruptRecords()).isZero();
        next = read.size();
      }
    }
  }

  @Test
  void tornWriteByKill9IsSkippedAndLaterAppendsAreRead() throws Exception {
    Process p = child("torn", dir.toString(), "20");
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("TORN");
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);

    long t0 = System.nanoTime();
    try (ChronicleSpool spool = open(dir)) {
      assertThat(spool.recoveredRecords()).isEqualTo(20);
      assertThat(Journals.readAll(spool)).containsExactlyElementsOf(Journals.records(0, 20));
      Journals.append(spool, 100, 102); // the appender recovers the torn header first
      assertThat(Journals.readAll(spool)).containsExactly(Journals.record(100), Journals.record(101));
    }
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to open, recover and read").isLessThan(RECOVERY_BOUND_MS);
    try (ChronicleSpool spool = open(dir)) {
      assertThat(Journals.readAll(spool)).hasSize(22);
    }
  }
}
