package dev.beacon.spring;

import dev.beacon.spi.Spool;
import java.io.IOException;

/** A spool on a full disk: every write fails, so the client degrades to memory only. */
final class BrokenSpool implements Spool {
  @Override
  public void append(byte[] bytes, int offset, int length) throws IOException {
    throw new IOException("No space left on device (simulated)");
  }

  @Override
  public void commit() throws IOException {
    throw new IOException("No space left on device (simulated)");
  }

  @Override
  public boolean read(RecordHandler handler) {
    return false;
  }

  @Override
  public void acknowledge(long position) {}

  @Override
  public long pendingBytes() {
    return 0;
  }

  @Override
  public long maxBytes() {
    return 1 << 20;
  }

  @Override
  public long corruptRecords() {
    return 0;
  }

  @Override
  public long quarantinedFiles() {
    return 0;
  }

  @Override
  public long recoveredRecords() {
    return 0;
  }

  @Override
  public boolean writable() {
    return false;
  }

  @Override
  public void close() {}
}
