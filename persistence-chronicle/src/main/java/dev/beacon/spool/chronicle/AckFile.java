package dev.beacon.spool.chronicle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The spool's own acknowledged position, in {@code beacon.ack}: 20 bytes written in place at
 * offset 0 — magic, version, position, CRC32C of the first 16 bytes. Chronicle's named tailers are
 * not used because they persist their index on read, not on delivery.
 *
 * <p>A 20-byte write inside one page cannot be torn by a process crash (the page cache holds it
 * whole); an OS crash could tear it in theory, which the checksum detects: a missing or damaged
 * file reads as "nothing acknowledged", so records are read again from the start (duplicates,
 * never loss). With OS_CRASH durability each write is forced to the device. Not API.
 */
final class AckFile implements AutoCloseable {
  static final String FILE_NAME = "beacon.ack";
  /** No record acknowledged. */
  static final long NONE = Long.MIN_VALUE;

  private static final int MAGIC = 0x4241434b; // "BACK"
  private static final int VERSION = 1;
  private static final int SIZE = 20;

  private final FileChannel channel;
  private final boolean force;
  private final ByteBuffer buffer = ByteBuffer.allocate(SIZE);
  private final CRC32C crc = new CRC32C();

  private AckFile(FileChannel channel, boolean force) {
    this.channel = channel;
    this.force = force;
  }

  static AckFile open(Path directory, boolean force) throws IOException {
    return new AckFile(FileChannel.open(directory.resolve(FILE_NAME),
        StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE), force);
  }

  /**
   * Reads the acknowledged position.
   *
   * @return the position, or {@link #NONE} when the file is empty, damaged or missing
   */
  static long read(Path directory) {
    Path file = directory.resolve(FILE_NAME);
    byte[] b;
    try {
      if (!Files.isRegularFile(file)) {
        return NONE;
      }
      b = Files.readAllBytes(file);
    } catch (IOException e) {
      return NONE;
    }
    if (b.length < SIZE) {
      return NONE;
    }
    ByteBuffer bb = ByteBuffer.wrap(b);
    if (bb.getInt(0) != MAGIC || bb.getInt(4) != VERSION) {
      return NONE;
    }
    CRC32C c = new CRC32C();
    c.update(b, 0, 16);
    if ((int) c.getValue() != bb.getInt(16)) {
      return NONE;
    }
    return bb.getLong(8);
  }

  void write(long position) throws IOException {
    buffer.clear();
    buffer.putInt(MAGIC).putInt(VERSION).putLong(position);
    crc.reset();
    crc.update(buffer.array(), 0, 16);
    buffer.putInt((int) crc.getValue());
    buffer.flip();
    long at = 0;
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
    if (force) {
      channel.force(false);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the last write already reached the page cache
    }
  }
}
