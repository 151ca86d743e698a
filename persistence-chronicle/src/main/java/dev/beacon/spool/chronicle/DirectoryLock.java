package dev.beacon.spool.chronicle;

import dev.beacon.spi.SpoolLockedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code beacon.lock} in the spool directory: one spool per directory, across
 * processes (the OS lock) and within this JVM (the JDK refuses a second lock on the same file with
 * {@link OverlappingFileLockException}). The OS drops the lock when the process dies, so a kill -9
 * never leaves a stale lock behind. Not API.
 */
final class DirectoryLock implements AutoCloseable {
  static final String FILE_NAME = "beacon.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DirectoryLock acquire(Path directory) throws IOException {
    Path file = directory.resolve(FILE_NAME);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IOException("Spool directory " + directory + " is not writable: cannot create "
          + FILE_NAME + " (" + e + ")", e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      channel.close();
      SpoolLockedException locked = new SpoolLockedException("Spool directory " + directory
          + " is already open by another spool in this JVM; one spool (one client) per directory");
      locked.initCause(e);
      throw locked;
    } catch (IOException e) {
      channel.close();
      throw new IOException("Spool directory " + directory + " cannot be locked (" + e + ")", e);
    }
    if (lock == null) {
      channel.close();
      throw new SpoolLockedException("Spool directory " + directory
          + " is in use by another process (it holds " + file + "); one process per spool directory");
    }
    return new DirectoryLock(channel, lock);
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException | RuntimeException ignored) {
      // closing the channel releases it too
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing more to release
    }
  }
}
