package dev.beacon.spool.chronicle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free space as the spool sees it. Chronicle writes through memory-mapped files: when a page of a
 * sparse file cannot be backed because the disk is full, the JVM gets SIGBUS and dies. So the
 * spool refuses appends while the usable space is below a margin of two blocks (the mapped chunk
 * and the one after it) plus a few MB, checked before appends often enough that what is written
 * between two checks stays far below that margin. Replaceable in tests. Not API.
 */
@FunctionalInterface
interface DiskSpace {
  DiskSpace FILE_STORE = directory -> Files.getFileStore(directory).getUsableSpace();

  /**
   * Returns the bytes usable in the file system holding {@code directory}.
   *
   * @param directory the spool directory
   * @return usable bytes
   * @throws IOException when it cannot be told
   */
  long usableBytes(Path directory) throws IOException;
}
