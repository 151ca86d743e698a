package dev.beacon.spool.chronicle;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.beacon.SpoolDurability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rough numbers for docs/spool.md, not a benchmark (JMH in bench/ is the place for that): run with
 * {@code -Dbeacon.spool.measure=true}. Skipped in the normal build.
 */
class ChronicleSpoolThroughputTest {
  @TempDir Path dir;

  @Test
  void measureAppendReadAndFirstOpen() throws IOException {
    assumeTrue(Boolean.getBoolean("beacon.spool.measure"), "set -Dbeacon.spool.measure=true to measure");
    byte[] rec = ("{\"type\":\"track\",\"event\":\"Order Completed\",\"pad\":\"" + "x".repeat(440) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    ChronicleSpool first = ChronicleSpool.open(dir.resolve("first"), 1L << 34, SpoolDurability.PROCESS_CRASH,
        ChronicleSpool.Settings.DEFAULT);
    System.out.printf("first open: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    first.close();
    for (SpoolDurability d : new SpoolDurability[] {SpoolDurability.PROCESS_CRASH, SpoolDurability.OS_CRASH}) {
      for (int group : new int[] {1, 100}) {
        Path p = dir.resolve(d + "-" + group);
        int n = d == SpoolDurability.OS_CRASH && group == 1 ? 5_000 : 1_000_000;
        try (ChronicleSpool spool = ChronicleSpool.open(p, 1L << 34, d, ChronicleSpool.Settings.DEFAULT)) {
          long t = System.nanoTime();
          for (int i = 0; i < n; i++) {
            spool.append(rec, 0, rec.length);
            if (i % group == group - 1) {
              spool.commit();
            }
          }
          spool.commit();
          double s = (System.nanoTime() - t) / 1e9;
          System.out.printf("append %s, commit every %d: %,.0f records/s of %d B (%d records)%n",
              d, group, n / s, rec.length, n);
          if (d == SpoolDurability.PROCESS_CRASH && group == 100) {
            long[] count = {0};
            t = System.nanoTime();
            while (spool.read((pos, b, o, l) -> count[0]++)) {
              // read all
            }
            s = (System.nanoTime() - t) / 1e9;
            System.out.printf("read: %,.0f records/s (%d records)%n", count[0] / s, count[0]);
          }
        }
      }
    }
    long t = System.nanoTime();
    ChronicleSpool again = ChronicleSpool.open(dir.resolve("PROCESS_CRASH-1"), 1L << 34,
        SpoolDurability.PROCESS_CRASH, ChronicleSpool.Settings.DEFAULT);
    System.out.printf("reopen with 1M pending (scan): %.0f ms, recovered %d%n",
        (System.nanoTime() - t) / 1e6, again.recoveredRecords());
    again.close();
  }
}
