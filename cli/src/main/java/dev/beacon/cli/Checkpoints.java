package dev.beacon.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;

/**
 * Remembers, per input file, how many lines were accepted into the spool, so that a re-run of an
 * interrupted import skips them. A line counted here was journaled before the call returned, so
 * skipping it loses nothing; lines after the last checkpoint are sent again and de-duplicated
 * downstream by their stable messageId.
 */
final class Checkpoints {
  private final Path dir;

  Checkpoints(Path dir) {
    this.dir = dir;
  }

  Path directory() {
    return dir;
  }

  Entry entry(Path file) throws IOException {
    Files.createDirectories(dir);
    Path abs = file.toAbsolutePath().normalize();
    FileTime mtime = Files.getLastModifiedTime(abs);
    String identity = abs + "|" + Files.size(abs) + "|" + mtime.toMillis();
    String name = dev.beacon.MessageIds.stable("checkpoint", identity);
    return new Entry(dir.resolve(name + ".line"));
  }

  /** The checkpoint of one input file (same path, size and modification time). */
  static final class Entry {
    private final Path file;

    Entry(Path file) {
      this.file = file;
    }

    long linesDone() {
      try {
        return Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip()) : 0;
      } catch (IOException | NumberFormatException e) {
        return 0; // unreadable: start over, duplicates are removed downstream by messageId
      }
    }

    void save(long lines) {
      try {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(lines), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
