package dev.beacon.spool.chronicle;

import dev.beacon.SpoolDurability;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

/** Helpers for tests that open, fill and damage journals. */
final class Journals {
  static final long MB = 1L << 20;

  private Journals() {}

  /** A clock the test moves, so cycle files roll on demand. */
  static SetTimeProvider clock() {
    return new SetTimeProvider(java.time.Instant.parse("2026-01-01T00:00:00Z"));
  }

  static ChronicleSpool.Settings settings(SetTimeProvider clock) {
    return new ChronicleSpool.Settings(RollCycles.FIVE_MINUTELY, MB, 500, clock, DiskSpace.FILE_STORE, MB);
  }

  static ChronicleSpool open(Path dir, SetTimeProvider clock) throws IOException {
    return ChronicleSpool.open(dir, 64 * MB, SpoolDurability.PROCESS_CRASH, settings(clock));
  }

  static void roll(SetTimeProvider clock) {
    clock.advanceMillis(TimeUnit.MINUTES.toMillis(5));
  }

  static String record(int n) {
    return String.format("{\"messageId\":\"REC-%05d\",\"pad\":\"%s\"}", n, "p".repeat(40));
  }

  static void append(ChronicleSpool spool, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      byte[] b = record(i).getBytes(StandardCharsets.UTF_8);
      spool.append(b, 0, b.length);
    }
    spool.commit();
  }

  /** Reads to the end, acknowledging nothing. */
  static List<String> readAll(ChronicleSpool spool) throws IOException {
    List<String> out = new ArrayList<>();
    while (spool.read((p, b, o, l) -> out.add(new String(b, o, l, StandardCharsets.UTF_8)))) {
      // keep reading
    }
    return out;
  }

  static List<String> records(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(record(i));
    }
    return out;
  }

  /** Offset in the file of a record's marker, or -1. */
  static long find(Path file, int n) throws IOException {
    byte[] data = Files.readAllBytes(file);
    byte[] needle = ("REC-" + String.format("%05d", n)).getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + needle.length <= data.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Offset in the file of the first byte of a record's payload. */
  static long payloadStart(Path file, int n) throws IOException {
    return find(file, n) - "{\"messageId\":\"".length();
  }

  static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x5A);
    }
  }

  static void fill(Path file, byte[] garbage) throws IOException {
    byte[] all = new byte[(int) Files.size(file)];
    for (int i = 0; i < all.length; i++) {
      all[i] = garbage[i % garbage.length];
    }
    Files.write(file, all);
  }

  static byte[] garbage() {
    byte[] g = new byte[4096];
    java.util.Random r = new java.util.Random(42);
    r.nextBytes(g);
    return Arrays.copyOf(g, g.length);
  }
}
