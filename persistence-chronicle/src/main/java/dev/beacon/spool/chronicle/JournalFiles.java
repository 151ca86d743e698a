package dev.beacon.spool.chronicle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The journal's files as the file system sees them, without Chronicle: which are readable, which
 * to move aside, which to delete. Chronicle's cycle file names ({@code yyyyMMdd-HHmm'V'.cq4} for
 * five-minute cycles) sort lexicographically in time order, which is what deletion relies on.
 * Not API.
 */
final class JournalFiles {
  static final String SUFFIX = ".cq4";
  static final String QUARANTINE = "quarantine";

  /** Chronicle's header flags: a document still being written; a metadata document. */
  private static final int NOT_COMPLETE = 0x8000_0000;
  private static final int META_DATA = 0x4000_0000;
  private static final int LENGTH_MASK = 0x3FFF_FFFF;
  private static final byte[] HEADER_FIELD = "header".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STORE_TYPE = "SCQStore".getBytes(StandardCharsets.US_ASCII);

  private JournalFiles() {}

  static List<Path> cycleFiles(Path directory) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    }
    Collections.sort(files);
    return files;
  }

  /**
   * Tells whether a cycle file starts like one Chronicle can open: a complete metadata document
   * of a sane length holding the {@code SCQStore} header. A file replaced by garbage, cut to a few
   * bytes, or left all zeros by a crash between its creation and its header (which then holds no
   * record) does not.
   */
  static boolean looksReadable(Path file) {
    byte[] head = new byte[64];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return false;
    }
    if (n < head.length) {
      return false;
    }
    int header = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    int length = header & LENGTH_MASK;
    if ((header & NOT_COMPLETE) != 0 || (header & META_DATA) == 0 || length < 32 || length > 1 << 20) {
      return false;
    }
    return indexOf(head, HEADER_FIELD) >= 0 && indexOf(head, STORE_TYPE) >= 0;
  }

  /**
   * Moves a file into {@code quarantine/}, keeping its name and adding a time stamp.
   *
   * @return true when moved (or already gone)
   */
  static boolean quarantine(Path directory, Path file) {
    try {
      Path q = Files.createDirectories(directory.resolve(QUARANTINE));
      Path target = q.resolve(file.getFileName() + "." + System.currentTimeMillis() + ".corrupt");
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      try {
        // A file that cannot be moved must still not stop startup.
        return Files.deleteIfExists(file) || !Files.exists(file);
      } catch (IOException e2) {
        return false;
      }
    }
  }

  /**
   * Deletes the cycle files whose names sort before {@code keepFromName}.
   *
   * @return how many were deleted
   */
  static int deleteBefore(Path directory, String keepFromName) throws IOException {
    int deleted = 0;
    for (Path p : cycleFiles(directory)) {
      if (p.getFileName().toString().compareTo(keepFromName) < 0 && Files.deleteIfExists(p)) {
        deleted++;
      }
    }
    return deleted;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
