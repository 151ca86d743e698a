package dev.beacon.relay.kafka;

import java.util.concurrent.atomic.AtomicLong;

/** The relay's counters, written by its threads and read by {@link KafkaRelay#stats()}. */
final class Counters {
  final AtomicLong consumed = new AtomicLong();
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong invalid = new AtomicLong();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong batches = new AtomicLong();
  final AtomicLong commits = new AtomicLong();
  final AtomicLong bufferedRecords = new AtomicLong();
  final AtomicLong bufferedBytes = new AtomicLong();
  volatile long lag = -1;
  volatile int assignedPartitions;
  volatile int pausedPartitions;

  /**
   * What a record costs while its partition's tracker holds it, settled or not (the entry, its
   * slot and state): counted in {@link #bufferedBytes} until the tracker lets it go, so that
   * records settled behind an older one still waiting (a dead letter being retried) are bounded
   * by the relay's byte bound too, and pause the partitions.
   */
  static final int ENTRY_OVERHEAD_BYTES = 96;

  void hold(Entry e) {
    bufferedRecords.incrementAndGet();
    bufferedBytes.addAndGet(e.bytes() + ENTRY_OVERHEAD_BYTES);
  }

  void release(Entry e) {
    bufferedRecords.decrementAndGet();
    bufferedBytes.addAndGet(-e.bytes());
  }

  /** The tracker let {@code n} records go (settled and committable, or handed back). */
  void untrack(int n) {
    bufferedBytes.addAndGet(-(long) n * ENTRY_OVERHEAD_BYTES);
  }

  RelayStats snapshot() {
    return new RelayStats(consumed.get(), delivered.get(), deadLettered.get(), invalid.get(), requests.get(),
        retries.get(), batches.get(), commits.get(), bufferedRecords.get(), bufferedBytes.get(), lag,
        assignedPartitions, pausedPartitions);
  }
}
