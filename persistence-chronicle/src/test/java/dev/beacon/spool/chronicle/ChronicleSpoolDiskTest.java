package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.beacon.SpoolDurability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disk full, an unwritable directory, and deleting what was delivered. */
class ChronicleSpoolDiskTest {
  private static final long MB = Journals.MB;

  @TempDir Path dir;
  private Path mounted;

  @AfterEach
  void unmount() throws Exception {
    if (mounted == null) {
      return;
    }
    // Chronicle unmaps a closed queue's files on its background releaser thread: until it has,
    // the tmpfs is busy, umount fails, and the mount left behind also breaks @TempDir's cleanup.
    // Whether it had got there by now depended on the machine's load: wait for it instead.
    BackgroundResourceReleaser.releasePendingResources();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!run("umount", mounted.toString())) {
      assertThat(System.nanoTime()).as("time to unmount " + mounted).isLessThan(deadline);
      System.gc(); // a mapping no longer referenced is unmapped by its cleaner
      Thread.sleep(50);
    }
  }

  private static boolean run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /** A small tmpfs, or a skipped test saying why there is none. */
  private Path tmpfs(String size) throws Exception {
    assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "tmpfs needs Linux");
    Path mp = Files.createDirectories(dir.resolve("mnt"));
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mp.toString()),
        "cannot mount a tmpfs here (needs root and mount permission); disk-full is covered by the simulated test");
    mounted = mp;
    return mp;
  }

  @Test
  void simulatedFullDiskRefusesAppendsThenRecoversWhenSpaceReturns() throws Exception {
    AtomicLong usable = new AtomicLong(1L << 40);
    ChronicleSpool.Settings s = new ChronicleSpool.Settings(RollCycles.FIVE_MINUTELY, MB, 500, null,
        d -> usable.get(), MB);
    try (ChronicleSpool spool = ChronicleSpool.open(dir, 64 * MB, SpoolDurability.PROCESS_CRASH, s)) {
      Journals.append(spool, 0, 5);
      usable.set(2 * MB); // below 2 blocks + 1 MB
      Thread.sleep(150); // free space is checked every 1 MB appended or every 100 ms
      assertThatThrownBy(() -> Journals.append(spool, 5, 6))
          .isInstanceOf(IOException.class).hasMessageContaining("out of disk space");
      assertThat(spool.writable()).isFalse();
      usable.set(1L << 40);
      assertThat(spool.writable()).isTrue();
      Journals.append(spool, 5, 7);
      assertThat(Journals.readAll(spool)).containsExactlyElementsOf(Journals.records(0, 7));
    }
  }

  @Test
  void fullTmpfsNeverCrashesTheJvmAndRecoversWhenSpaceReturns() throws Exception {
    Path fs = tmpfs("12m");
    Path spoolDir = fs.resolve("spool");
    ChronicleSpool.Settings s = new ChronicleSpool.Settings(RollCycles.FIVE_MINUTELY, MB, 500, null,
        DiskSpace.FILE_STORE, MB);
    Path filler = fs.resolve("filler");
    try (ChronicleSpool spool = ChronicleSpool.open(spoolDir, 1L << 30, SpoolDurability.PROCESS_CRASH, s)) {
      // Another tenant eats most of the disk, then we write until the spool refuses.
      Files.write(filler, new byte[(int) (6 * MB)]);
      byte[] rec = ("{\"pad\":\"" + "x".repeat(480) + "\"}").getBytes(StandardCharsets.UTF_8);
      int appended = 0;
      IOException refused = null;
      for (int i = 0; i < 100_000 && refused == null; i++) {
        try {
          spool.append(rec, 0, rec.length);
          appended++;
        } catch (IOException e) {
          refused = e;
        }
      }
      assertThat(refused).as("refused before the disk filled").isNotNull();
      assertThat(refused.getMessage()).contains("out of disk space");
      assertThat(spool.writable()).isFalse();
      spool.commit();
      List<String> read = Journals.readAll(spool);
      assertThat(read).hasSize(appended);

      Files.delete(filler);
      assertThat(spool.writable()).isTrue();
      spool.append(rec, 0, rec.length);
      spool.commit();
      assertThat(Journals.readAll(spool)).hasSize(1);
    }
  }

  @Test
  void readOnlyDirectoryFailsToOpenWithAClearError() throws Exception {
    Path ro;
    if (isRoot()) {
      Path fs = tmpfs("4m");
      Files.createDirectories(fs.resolve("spool"));
      assumeTrue(run("mount", "-o", "remount,ro", fs.toString()), "cannot remount read-only here");
      ro = fs.resolve("spool");
    } else {
      ro = Files.createDirectories(dir.resolve("ro"));
      assumeTrue(ro.toFile().setWritable(false, false), "cannot make a directory read-only here");
    }
    Path roDir = ro;
    assertThatThrownBy(() -> ChronicleSpool.open(roDir, MB, SpoolDurability.PROCESS_CRASH,
        ChronicleSpool.Settings.DEFAULT))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(roDir.toString())
        .hasMessageContaining("not writable");
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Test
  void filesWhollyBeforeTheAcknowledgedPositionAreDeleted() throws IOException {
    SetTimeProvider clock = Journals.clock();
    List<Long> positions = new java.util.ArrayList<>();
    try (ChronicleSpool spool = Journals.open(dir, clock)) {
      for (int c = 0; c < 4; c++) {
        Journals.append(spool, c * 10, c * 10 + 10);
        Journals.roll(clock);
      }
      List<Path> files = spool.cycleFiles();
      assertThat(files).hasSize(4);
      while (spool.read((p, b, o, l) -> positions.add(p))) {
        // read all
      }
      spool.acknowledge(positions.get(9)); // the last record of the first file
      assertThat(spool.cycleFiles()).as("the file holding the ack stays").hasSize(4);
      spool.acknowledge(positions.get(25)); // inside the third file
      assertThat(spool.cycleFiles()).containsExactlyElementsOf(files.subList(2, 4));
      assertThat(dir.resolve("metadata.cq4t")).exists();
      assertThat(spool.pendingBytes()).isEqualTo(14L * Journals.record(0).length());
      Journals.append(spool, 40, 41); // still writable after deletion
    }
    try (ChronicleSpool spool = Journals.open(dir, clock)) {
      assertThat(spool.recoveredRecords()).isEqualTo(15);
      assertThat(Journals.readAll(spool)).containsExactlyElementsOf(Journals.records(26, 41));
    }
  }
}
