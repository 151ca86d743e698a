package dev.beacon.internal;

import java.io.OutputStream;
import java.util.Arrays;

/** A growable byte buffer that can be rewound and reused; not thread-safe. Not API. */
public final class ByteSink extends OutputStream {
  private byte[] buf;
  private int size;

  /**
   * Creates a sink.
   *
   * @param initialCapacity starting capacity in bytes
   */
  public ByteSink(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  @Override
  public void write(int b) {
    ensure(size + 1);
    buf[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(size + len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  private void ensure(int capacity) {
    if (capacity > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(capacity, buf.length * 2));
    }
  }

  /**
   * Returns the number of bytes written.
   *
   * @return the size
   */
  public int size() {
    return size;
  }

  /**
   * Returns the backing array; valid up to {@link #size()}.
   *
   * @return the live buffer
   */
  public byte[] array() {
    return buf;
  }

  /**
   * Drops everything after the first {@code newSize} bytes.
   *
   * @param newSize the size to keep
   */
  public void truncate(int newSize) {
    size = newSize;
  }

  /**
   * Moves the bytes {@code [from, size)} to the start and keeps only them.
   *
   * @param from the first byte to keep
   */
  public void keepTail(int from) {
    System.arraycopy(buf, from, buf, 0, size - from);
    size -= from;
  }

  /**
   * Copies the content.
   *
   * @return a new array of {@link #size()} bytes
   */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }
}
