package dev.beacon.relay.kafka;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;

/**
 * One consumed record on its way through the relay. Its state moves once from pending to
 * settled (delivered, or dead-lettered and acknowledged) or to cancelled (its partition was
 * revoked before it settled, so the partition's next owner reads it again).
 */
final class Entry {
  private static final int PENDING = 0;
  private static final int SETTLED = 1;
  private static final int CANCELLED = 2;

  final TopicPartition partition;
  final long offset;
  /*
   * The record's bytes are dropped once it settles: a settled record may wait in its partition's
   * tracker behind an older one that has not settled yet, and must not hold its payload there.
   * Read only while the entry is pending (an attempt or a dead-letter write of its own).
   */
  volatile byte[] key;
  /** The record's value, as read (what the dead-letter topic gets); null once settled. */
  volatile byte[] value;
  /** What is sent: the value itself, or the message completed by Beacon's rules; null once settled. */
  volatile byte[] payload;
  private final int bytes;
  private final Counters counters;
  private final AtomicInteger state = new AtomicInteger(PENDING);

  Entry(TopicPartition partition, long offset, byte[] key, byte[] value, byte[] payload, Counters counters) {
    this.partition = partition;
    this.offset = offset;
    this.key = key;
    this.value = value;
    this.payload = payload;
    this.counters = counters;
    this.bytes = (key == null ? 0 : key.length) + (value == null ? 0 : value.length)
        + (payload == value || payload == null ? 0 : payload.length);
  }

  /** The bytes the record holds while it is pending: its key, its value and a completed payload (another array). */
  int bytes() {
    return bytes;
  }

  boolean pending() {
    return state.get() == PENDING;
  }

  boolean settled() {
    return state.get() == SETTLED;
  }

  /** Delivered or dead-lettered: the offset may be committed once everything before it is too. */
  void settle() {
    int was = state.getAndSet(SETTLED);
    if (was == PENDING) {
      key = null;
      value = null;
      payload = null;
      counters.release(this);
    }
  }

  /** The partition went to another consumer: stop working on this record if it is not settled. */
  void cancel() {
    if (state.compareAndSet(PENDING, CANCELLED)) {
      counters.release(this);
    }
  }
}
