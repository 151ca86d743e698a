package dev.beacon.spool.chronicle;

import static dev.beacon.spool.chronicle.Journals.append;
import static dev.beacon.spool.chronicle.Journals.clock;
import static dev.beacon.spool.chronicle.Journals.open;
import static dev.beacon.spool.chronicle.Journals.readAll;
import static dev.beacon.spool.chronicle.Journals.record;
import static dev.beacon.spool.chronicle.Journals.records;
import static dev.beacon.spool.chronicle.Journals.roll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged journals: open succeeds within seconds, exactly what was damaged is lost, and counted. */
class ChronicleSpoolDamageTest {
  /**
   * Opening must not wait out Chronicle's default 10 s header-recovery timeout (the spool sets
   * 500 ms). Bounded at that 10 s, which a regression cannot beat, rather than at 5 s, which a
   * busy machine's slow queue open (about 1 s when idle) could approach.
   */
  private static final long RECOVERY_BOUND_MS = 10_000;

  @TempDir Path dir;
  private final SetTimeProvider clock = clock();

  /** Writes 3 cycle files of 10 records each (0-9, 10-19, 20-29) and closes the spool. */
  private List<Path> threeFiles() throws IOException {
    try (ChronicleSpool spool = open(dir, clock)) {
      append(spool, 0, 10);
      roll(clock);
      append(spool, 10, 20);
      roll(clock);
      append(spool, 20, 30);
      List<Path> files = spool.cycleFiles();
      assertThat(files).hasSize(3);
      return files;
    }
  }

  @Test
  void deletedMiddleFileLosesExactlyItsRecords() throws IOException {
    List<Path> files = threeFiles();
    Files.delete(files.get(1));

    try (ChronicleSpool spool = open(dir, clock)) {
      List<String> expected = new ArrayList<>(records(0, 10));
      expected.addAll(records(20, 30));
      assertThat(readAll(spool)).containsExactlyElementsOf(expected);
      assertThat(spool.recoveredRecords()).isEqualTo(20);
      assertThat(spool.quarantinedFiles()).isZero();
    }
  }

  @Test
  void flippedBytesInsideARecordSkipThatRecordAndCountIt() throws IOException {
    List<Path> files = threeFiles();
    Path first = files.get(0);
    Journals.flip(first, Journals.find(first, 4) + 20); // inside record 4's payload

    try (ChronicleSpool spool = open(dir, clock)) {
      List<String> expected = new ArrayList<>(records(0, 30));
      expected.remove(record(4));
      assertThat(readAll(spool)).containsExactlyElementsOf(expected);
      assertThat(spool.corruptRecords()).isEqualTo(1);
    }
  }

  @Test
  void truncatedTailLosesOnlyTheRecordThatWasCut() throws IOException {
    List<Path> files = threeFiles();
    Path last = files.get(2);
    long cut = Journals.find(last, 29) + 10; // in the middle of the last record
    try (RandomAccessFile raf = new RandomAccessFile(last.toFile(), "rw")) {
      raf.setLength(cut);
    }

    long t0 = System.nanoTime();
    try (ChronicleSpool spool = open(dir, clock)) {
      assertThat(readAll(spool)).containsExactlyElementsOf(records(0, 29));
      assertThat(spool.corruptRecords()).isEqualTo(1);
      // and the journal goes on
      append(spool, 30, 31);
      assertThat(readAll(spool)).containsExactly(record(30));
    }
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(RECOVERY_BOUND_MS);
  }

  @Test
  void garbageFileIsQuarantinedAndTheRestIsRead() throws IOException {
    List<Path> files = threeFiles();
    Journals.fill(files.get(1), Journals.garbage());

    long t0 = System.nanoTime();
    try (ChronicleSpool spool = open(dir, clock)) {
      assertThat(spool.quarantinedFiles()).isEqualTo(1);
      List<String> expected = new ArrayList<>(records(0, 10));
      expected.addAll(records(20, 30));
      assertThat(readAll(spool)).containsExactlyElementsOf(expected);
    }
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(RECOVERY_BOUND_MS);
    try (Stream<Path> q = Files.list(dir.resolve("quarantine"))) {
      assertThat(q.map(p -> p.getFileName().toString()))
          .singleElement().asString().startsWith(files.get(1).getFileName().toString());
    }
  }

  @Test
  void fileLeftAllZerosByACrashDuringARollIsQuarantined() throws IOException {
    List<Path> files = threeFiles();
    Path next = dir.resolve("20991231-2355V.cq4");
    Files.write(next, new byte[1 << 16]);

    try (ChronicleSpool spool = open(dir, clock)) {
      assertThat(spool.quarantinedFiles()).isEqualTo(1);
      assertThat(readAll(spool)).containsExactlyElementsOf(records(0, 30));
      assertThat(spool.cycleFiles()).containsExactlyElementsOf(files);
    }
  }

  @Test
  void damagedAckFileFallsBackToReadingFromTheStart() throws IOException {
    try (ChronicleSpool spool = open(dir, clock)) {
      append(spool, 0, 5);
      List<Long> positions = new ArrayList<>();
      while (spool.read((p, b, o, l) -> positions.add(p))) {
        // read all
      }
      spool.acknowledge(positions.get(2));
    }
    Journals.flip(dir.resolve(AckFile.FILE_NAME), 9);

    try (ChronicleSpool spool = open(dir, clock)) {
      assertThat(readAll(spool)).as("duplicates, never loss").containsExactlyElementsOf(records(0, 5));
    }
  }
}
