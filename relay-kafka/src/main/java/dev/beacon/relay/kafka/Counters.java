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

  void hold(Entry e) {
    bufferedRecords.incrementAndGet();
    bufferedBytes.addAndGet(e.bytes());
  }

  void release(Entry e) {
    bufferedRecords.decrementAndGet();
    bufferedBytes.addAndGet(-e.bytes());
  }

  RelayStats snapshot() {
    return new RelayStats(consumed.get(), delivered.get(), deadLettered.get(), invalid.get(), requests.get(),
        retries.get(), batches.get(), commits.get(), bufferedRecords.get(), bufferedBytes.get(), lag,
        assignedPartitions, pausedPartitions);
  }
}
