package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.beacon.SpoolDurability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The spool's disk use follows {@code maxSpoolBytes} at any rate: cycle files roll once they hold
 * their share of it, and go as soon as the acknowledged position passes them, without waiting for
 * the wall clock's five-minute cycle to end or for a restart.
 */
class ChronicleSpoolBoundedDiskTest {
  private static final long MB = Journals.MB;
  private static final long MAX = 4 * MB;
  /** The bound docs/spool.md states: what is pending, one file's share and a little more. */
  private static final long BOUND = Math.max(2 * MAX, MAX + 64 * MB);
  /** One file's share: a quarter of {@code maxSpoolBytes} ({@code ChronicleSpool.rollBytes}). */
  private static final long FILE_SHARE = MAX / 4;
  private static final long TIGHT_BOUND = MAX + FILE_SHARE + 2 * MB;
  private static final long SLACK = FILE_SHARE + 2 * MB;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(value = SpoolDurability.class, names = {"PROCESS_CRASH", "OS_CRASH"})
  void diskStaysWithinTheBoundPastManyTimesMaxSpoolBytesAndFallsBackOnceAcknowledged(SpoolDurability durability)
      throws Exception {
    assumeTrue(AllocatedBytes.supported(), "measures st_blocks and /proc/self/maps: Linux only");
    byte[] rec = ("{\"type\":\"track\",\"event\":\"Load\",\"pad\":\"" + "x".repeat(380) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    long written = 0;
    long peak = 0;
    ArrayDeque<Long> unacked = new ArrayDeque<>();
    try (ChronicleSpool spool = ChronicleSpool.open(dir, MAX, durability, ChronicleSpool.Settings.DEFAULT)) {
      // Sustained overload, as a producer faster than the API sees it: the spool is kept full, and
      // the reader acknowledges the oldest half of the backlog each round. 40 MB through 4 MB.
      while (written < 10 * MAX) {
        try {
          spool.append(rec, 0, rec.length);
          written += rec.length;
          continue;
        } catch (IOException full) {
          assertThat(full).hasMessageContaining("is full");
        }
        spool.commit();
        while (spool.read((p, b, o, l) -> unacked.add(p))) {
          // read what was appended
        }
        long last = -1;
        for (int n = unacked.size() / 2; n > 0; n--) {
          last = unacked.poll();
        }
        peak = Math.max(peak, AllocatedBytes.of(dir));
        spool.acknowledge(last);
      }
      assertThat(peak).as("peak allocated bytes with maxSpoolBytes=%d", MAX)
          .isLessThanOrEqualTo(TIGHT_BOUND).isLessThanOrEqualTo(BOUND);

      // Everything acknowledged, the spool still open: the delivered files go without a restart.
      while (spool.read((p, b, o, l) -> unacked.add(p))) {
        // the rest
      }
      spool.acknowledge(unacked.peekLast());
      assertThat(spool.pendingBytes()).isZero();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long now;
      while ((now = AllocatedBytes.of(dir)) > SLACK || !AllocatedBytes.deletedButMapped(dir).isEmpty()) {
        assertThat(System.nanoTime() - deadline)
            .as("allocated %d bytes (slack %d), deleted files still mapped: %s", now, SLACK,
                AllocatedBytes.deletedButMapped(dir))
            .isNegative();
        BackgroundResourceReleaser.releasePendingResources();
        Thread.sleep(20);
      }
    }
  }
}
