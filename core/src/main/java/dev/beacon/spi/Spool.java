package dev.beacon.spi;

import java.io.IOException;

/**
 * A durable journal of serialized messages that survives restarts, giving at-least-once delivery.
 * Found with {@link java.util.ServiceLoader} through {@link SpoolProvider}.
 *
 * <p>Threading: {@link #append} is called from any thread (the calling application's threads
 * journal their own messages), one call at a time: the engine orders them under a lock, which
 * also makes one append's writes visible to the next. {@link #commit} is called one at a time,
 * possibly on another thread while appends go on. One other thread reads and acknowledges
 * ({@link #read}, {@link #acknowledge}). The counters may be read from any thread, and
 * {@link #close()} is never called during an append.
 *
 * <p>Positions are opaque, increasing numbers naming records. The spool keeps its own
 * acknowledged position: after a restart, {@link #read} starts with the first record after the
 * last acknowledged one, so whatever was appended and not acknowledged is read again.
 */
public interface Spool extends AutoCloseable {
  /**
   * Appends one record (one message's JSON). The bytes are copied before the method returns. The
   * record is durable only after the next {@link #commit()}.
   *
   * @param bytes the buffer
   * @param offset start of the record in the buffer
   * @param length the record's length, at least 1
   * @throws IOException when the record cannot be written (disk full, unwritable directory,
   *     {@link #maxBytes()} reached...): the caller keeps the message in memory instead
   */
  void append(byte[] bytes, int offset, int length) throws IOException;

  /**
   * Ends a group of appends: once it returns, every record whose {@link #append} returned before
   * this call began survives a crash of the process, and with
   * {@link dev.beacon.SpoolDurability#OS_CRASH} a crash of the OS too. Appends on other threads may
   * run meanwhile; one commit covers every caller waiting for it (group commit).
   *
   * @throws IOException when the records could not be made durable
   */
  void commit() throws IOException;

  /**
   * Reads the next record not yet read by this instance, starting after the acknowledged position.
   *
   * @param handler receives the record; its buffer is valid only during the call
   * @return true when a record was read, false when the reader is at the end
   * @throws IOException when the journal cannot be read; damaged records are skipped and counted,
   *     not thrown
   */
  boolean read(RecordHandler handler) throws IOException;

  /**
   * Says every record read up to and including {@code position} is done (delivered, or reported
   * to the error callback). The spool persists the position and may delete files wholly before it.
   *
   * @param position a position passed to a {@link RecordHandler}
   * @throws IOException when the position cannot be persisted
   */
  void acknowledge(long position) throws IOException;

  /**
   * Returns the bytes appended and not yet acknowledged, as the spool counts them against
   * {@link #maxBytes()}.
   *
   * @return the backlog in bytes
   */
  long pendingBytes();

  /**
   * Returns the bound on {@link #pendingBytes()}; appends beyond it fail.
   *
   * @return the bound in bytes
   */
  long maxBytes();

  /**
   * Returns how many records were found damaged (bad checksum, torn write) and skipped since open.
   *
   * @return the count
   */
  long corruptRecords();

  /**
   * Returns how many journal files were found unreadable and moved aside since open.
   *
   * @return the count
   */
  long quarantinedFiles();

  /**
   * Returns how many records were pending (appended, not acknowledged) when the spool was opened.
   *
   * @return the count found at open
   */
  long recoveredRecords();

  /**
   * Tells whether appends can go on: false while the disk is (nearly) full or the directory is
   * unwritable. The engine checks it before it resumes spooling after a failure.
   *
   * @return true when the spool can accept appends
   */
  boolean writable();

  /** Flushes and closes the journal and releases the directory lock. Idempotent. */
  @Override
  void close();

  /** Receives one record read from the journal. */
  @FunctionalInterface
  interface RecordHandler {
    /**
     * Handles one record.
     *
     * @param position the record's position, for {@link Spool#acknowledge(long)}
     * @param bytes the buffer; valid only during this call
     * @param offset start of the record
     * @param length length of the record
     */
    void onRecord(long position, byte[] bytes, int offset, int length);
  }
}
