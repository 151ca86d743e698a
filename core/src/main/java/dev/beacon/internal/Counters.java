package dev.beacon.internal;

import dev.beacon.DropReason;
import dev.beacon.FailureReason;
import dev.beacon.Stats;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client's counters. Producers touch striped adders, plus the {@code queuedBytes} bound,
 * which must be one atomic value to be checked and reserved in one step. Not API.
 */
final class Counters {
  final LongAdder accepted = new LongAdder();
  final AtomicLong syncAccepted = new AtomicLong();
  final AtomicLong consumed = new AtomicLong();
  /** Accepted messages the caller appended to the journal itself (they never enter the ring). */
  final LongAdder ownAppended = new LongAdder();
  final LongAdder spoolSyncTimeouts = new LongAdder();
  /** Calls that took the ring past a busy append lock (see {@code Stats.spoolLockBypasses}). */
  final LongAdder spoolLockBypasses = new LongAdder();
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong notSent = new AtomicLong();
  final AtomicLong batches = new AtomicLong();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong callbackErrors = new AtomicLong();
  final AtomicLong queuedBytes = new AtomicLong();
  /**
   * Producers of the {@code block} policy wait here for room in the queue: signalled whenever
   * {@link #queuedBytes} goes down ({@link #releaseQueued}) and when the consumer frees ring slots.
   */
  final Signal queueRoom = new Signal();

  /** Lowers {@link #queuedBytes} and wakes producers waiting for room. */
  void releaseQueued(long bytes) {
    queuedBytes.addAndGet(-bytes);
    queueRoom.signal();
  }
  final AtomicLong recovered = new AtomicLong();
  volatile boolean spoolDegraded;
  /** Reads the spool backlog in records; 0 without a spool. */
  volatile java.util.function.LongSupplier spooled = () -> 0;
  private final EnumMap<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
  private final EnumMap<FailureReason, AtomicLong> failedBy = new EnumMap<>(FailureReason.class);

  Counters() {
    for (DropReason r : DropReason.values()) {
      dropped.put(r, new LongAdder());
    }
    for (FailureReason r : FailureReason.values()) {
      failedBy.put(r, new AtomicLong());
    }
  }

  void dropped(DropReason reason) {
    dropped.get(reason).increment();
  }

  void failed(FailureReason reason, int n) {
    failedBy.get(reason).addAndGet(n);
    failed.addAndGet(n);
  }

  long finished() {
    return delivered.get() + failed.get() + notSent.get();
  }

  Stats snapshot() {
    // Read the outcomes before the inputs so that no derived count goes negative.
    long del = delivered.get();
    long fail = failed.get();
    long ns = notSent.get();
    long cons = consumed.get();
    long own = ownAppended.sum();
    long sync = syncAccepted.get();
    long rec = recovered.get();
    long acc = accepted.sum();
    long pending = Math.max(0, acc + rec - del - fail - ns);
    long queued = Math.min(pending, Math.max(0, acc - sync - cons - own));
    EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    long droppedTotal = 0;
    for (Map.Entry<DropReason, LongAdder> e : dropped.entrySet()) {
      long v = e.getValue().sum();
      drops.put(e.getKey(), v);
      droppedTotal += v;
    }
    EnumMap<FailureReason, Long> fails = new EnumMap<>(FailureReason.class);
    for (Map.Entry<FailureReason, AtomicLong> e : failedBy.entrySet()) {
      fails.put(e.getKey(), e.getValue().get());
    }
    return new Stats(acc, rec, del, fail, ns, pending, queued, pending - queued, droppedTotal, drops, fails,
        batches.get(), requests.get(), retries.get(), Math.max(0, queuedBytes.get()), callbackErrors.get(),
        Math.max(0, spooled.getAsLong()), spoolDegraded,
        // Plugins run before the engine, on the caller's thread: PluginChain counts their errors
        // (and FILTERED drops) and adds them to this snapshot in Analytics.stats().
        0L, spoolSyncTimeouts.sum(), spoolLockBypasses.sum());
  }
}
