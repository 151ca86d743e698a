package dev.beacon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
    /** The largest checkpoint file read: a number of lines needs at most 19 digits. */
    static final int MAX_CHECKPOINT_BYTES = 32;
    private final Path file;

    Entry(Path file) {
      this.file = file;
    }

    /**
     * The lines done, read as untrusted: only a regular file (not a symlink, a device or a FIFO)
     * of at most {@value #MAX_CHECKPOINT_BYTES} bytes holding a non-negative number counts;
     * anything else means 0, start over (duplicates are removed downstream by messageId). A number
     * past the file's lines is caught by the import, which then reads the file from the start.
     */
    long linesDone() {
      try {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          return 0;
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
          bytes = in.readNBytes(MAX_CHECKPOINT_BYTES + 1);
        }
        if (bytes.length > MAX_CHECKPOINT_BYTES) {
          return 0;
        }
        long n = Long.parseLong(new String(bytes, StandardCharsets.US_ASCII).strip());
        return n < 0 ? 0 : n;
      } catch (IOException | NumberFormatException e) {
        return 0;
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
