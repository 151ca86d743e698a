package dev.beacon.internal;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import dev.beacon.FailureReason;
import dev.beacon.Message;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single consumer: takes messages off the ring with an {@link EventPoller}, serializes them
 * into the current batch, and cuts batches by count, bytes, interval and flush requests.
 *
 * <p>Cutting is either wanted (flushAt reached, interval passed, flush asked, draining), in which
 * case the batch is sent only if a request slot is free and otherwise keeps growing, or forced
 * (the next message would break the 2,500-message or 500 KB limit), in which case the consumer
 * waits for a slot. So batches grow when the network is the bottleneck. Not API.
 */
final class Consumer implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");

  private final RingBuffer<Slot> ring;
  private final EventPoller<Slot> poller;
  private final Assembler asm = new Assembler();
  private final Dispatcher dispatcher;
  private final Tracker tracker;
  private final Counters counters;
  private final Reporter reporter;
  /** The journaling stage when a spool is configured, else null. */
  private final Journal journal;
  private final int flushAt;
  private final int maxBatchMessages;
  private final int maxBatchBytes;
  private final long intervalNanos;

  private final AtomicLong flushTarget = new AtomicLong(-1);
  private volatile boolean draining;
  private volatile boolean halted;
  private volatile Thread thread;
  /** True while parked; producers waiting for the journal unpark it (see {@link #nudge()}). */
  private volatile boolean sleeping;
  private static final int SPIN_WHILE_JOURNALING = 200;
  /** After this long without a message the consumer sleeps until woken (idle CPU ≈ 0). */
  private static final long DEEP_IDLE_AFTER_NANOS = 100_000_000L;
  /** True while in a deep sleep: every producer wakes it (see {@link #nudgeIfDeep()}). */
  private volatile boolean deepSleeping;
  /** Tests only (see {@link SleepProbe}); read once per deep sleep. */
  private volatile SleepProbe sleepProbe;
  private long lastActiveNanos = System.nanoTime();
  final CountDownLatch exited = new CountDownLatch(1);
  /**
   * Set (under {@link #sweepLock}) by the consumer's final pass, before it reads the ring one last
   * time. A producer that published and then sees it settles the ring itself (see
   * {@link #sweepLate()}): either the final pass saw its message, or the producer's sweep does.
   */
  private final Seal seal = new Seal();
  private final Object sweepLock = new Object();
  /** Set under {@link #sweepLock} when the spool is closed: late messages are then reported. */
  private boolean spoolClosed;
  private boolean interruptLogged;

  private long batchFirstSeq = -1;
  private long batchStartNanos;
  private long lastSeq = -1;
  private long memoryPathSeq = -1;
  private int consumedInPoll;
  /**
   * The entry ({@link Message} or {@link RawMessage}) {@link #onEvent} took off the ring while no
   * one else owns it yet, else null.
   */
  private Object unsettled;
  private final EventPoller.Handler<Slot> handler = this::onEvent;

  Consumer(EngineConfig cfg, RingBuffer<Slot> ring, Dispatcher dispatcher, Tracker tracker,
      Counters counters, Reporter reporter, Journal journal) {
    this.journal = journal;
    this.ring = ring;
    this.poller = ring.newPoller();
    ring.addGatingSequences(poller.getSequence());
    this.dispatcher = dispatcher;
    this.tracker = tracker;
    this.counters = counters;
    this.reporter = reporter;
    this.flushAt = cfg.flushAt();
    this.maxBatchMessages = cfg.maxBatchMessages();
    this.maxBatchBytes = cfg.maxBatchBytes();
    this.intervalNanos = Durations.toNanos(cfg.flushInterval());
  }

  /** Asks for every message up to {@code seq} to be sent without waiting for the interval. */
  void requestFlush(long seq) {
    flushTarget.accumulateAndGet(seq, Math::max);
    wake();
  }

  /** Asks the consumer to send everything and stop once the ring is empty. */
  void drain() {
    draining = true;
    wake();
  }

  /** Stops the consumer as soon as possible; what it still holds is reported as SHUTDOWN. */
  void halt() {
    halted = true;
    wake();
  }

  /** Wakes the consumer if it is parked: called by producers that wait for their group commit. */
  void nudge() {
    if (sleeping) {
      wake();
    }
  }

  /**
   * Wakes the consumer from a deep sleep: called after every publish and when a request slot frees
   * up. Costs one volatile read while the consumer is busy or in its short parks, so the hot path
   * pays no syscall; only the first call after an idle spell unparks it.
   */
  void nudgeIfDeep() {
    if (deepSleeping) {
      wake();
    }
  }

  private void wake() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    int idle = 0;
    try {
      while (!halted) {
        EventPoller.PollState state;
        try {
          consumedInPoll = 0;
          state = poller.poll(handler);
          if (consumedInPoll > 0) {
            lastActiveNanos = System.nanoTime();
            if (journal != null) {
              journal.commit(lastSeq);
            }
            counters.consumed.addAndGet(consumedInPoll);
            tracker.processed(lastSeq);
            // The poll freed ring slots (a release store of the poller's sequence): wake producers
            // that wait for room (the block policy).
            counters.queueRoom.signalAfterRelease();
          }
          if (!asm.isEmpty() && wantsCut(state)) {
            if (dispatcher.tryAcquire()) {
              cutAll();
            }
          }
          tracker.progressed();
        } catch (Throwable t) {
          LOG.error("Beacon's consumer hit an unexpected error and carries on", t);
          state = EventPoller.PollState.IDLE;
        }
        if (state == EventPoller.PollState.PROCESSING) {
          idle = 0;
          continue;
        }
        if (draining && asm.isEmpty() && ring.getCursor() == lastSeq) {
          break;
        }
        idle++;
        if (journal != null && idle <= SPIN_WHILE_JOURNALING) {
          // Producers may be waiting for this group commit: stay hot for a few microseconds.
          Thread.onSpinWait();
        } else if (idle <= SPIN_WHILE_JOURNALING + 8) {
          Thread.yield();
        } else {
          // A batch that wants a cut and did not get a request slot: a freed slot is work.
          boolean cutWaiting = !asm.isEmpty() && wantsCut(state);
          long now = System.nanoTime();
          // Draining (close) with nothing to do now waits for the same events as a deep sleep (a
          // freed request slot, a late publish, the halt): it parks like one instead of spinning.
          boolean deep = draining || now - lastActiveNanos > DEEP_IDLE_AFTER_NANOS;
          long park; // 0: until woken
          SleepProbe probe = null;
          if (!deep) {
            park = Math.min(2_000_000L, 10_000L << Math.min(idle - 8, 8));
          } else {
            // Idle for a while: sleep until woken by a producer (nudgeIfDeep), a flush, a drain, a
            // halt (unconditional unparks) or a freed request slot (nudgeIfDeep), and, when the batch
            // is not due yet, at the latest until it is: the flush interval is a real periodic duty,
            // the only timed part of this sleep (issue 20: no safety-net cap).
            park = asm.isEmpty() || cutWaiting ? 0 : Math.max(1, batchStartNanos + intervalNanos - now);
            probe = sleepProbe;
            if (probe != null) {
              probe.deciding();
            }
            deepSleeping = true;
          }
          sleeping = true;
          // Disruptor 4 reads its cursor with an acquire load only, which may pass the volatile
          // writes above (a store-load reordering): the fence keeps the re-check after the flags,
          // as Signal.register does. Idle path only.
          VarHandle.fullFence();
          // Re-check, after raising the flags (volatile writes), every condition a conditional waker
          // signals: a published message (the producer read no flag) and, for a batch waiting for a
          // slot, a slot released (the releaser read no flag). Each waker writes first (a CAS on
          // the cursor, an atomic release of the semaphore) and reads the flag after, so one of the
          // two sides sees the other; an unpark before the park makes the park return at once.
          // Draining is no reason to skip the park: drain() unparks unconditionally, and while draining
          // every waker of what the drain waits for (a slot, a publish, the halt) is a deep-sleep waker.
          if (ring.getCursor() == lastSeq && !halted
              && !(cutWaiting && dispatcher.hasFreeSlot())) {
            if (probe != null) {
              probe.parking();
            }
            if (park == 0) {
              LockSupport.park(this);
            } else {
              LockSupport.parkNanos(this, park);
            }
          }
          sleeping = false;
          deepSleeping = false;
        }
        if (Thread.interrupted() && !interruptLogged) {
          // Only halt() stops the consumer: an interrupt from outside would strand accepted messages.
          interruptLogged = true;
          LOG.warn("Beacon's consumer thread was interrupted; it ignores interrupts and stops only when"
              + " the client is closed");
        }
      }
    } finally {
      if (!halted && !draining) {
        LOG.error("Beacon's consumer stopped unexpectedly; the client refuses new messages and reports"
            + " what it held as SHUTDOWN");
      }
      try {
        finalPass();
      } finally {
        exited.countDown();
      }
    }
  }

  /** Tests only: observes the next deep sleeps (see {@link SleepProbe}). */
  void sleepProbe(SleepProbe probe) {
    this.sleepProbe = probe;
  }

  private boolean wantsCut(EventPoller.PollState state) {
    return asm.count() >= flushAt
        || flushRequestCovered()
        || System.nanoTime() - batchStartNanos >= intervalNanos
        || (draining && state != EventPoller.PollState.PROCESSING);
  }

  /**
   * A flush asked for this batch, and every message up to the flush's target is in it (so a
   * flush sends one full batch rather than a part and then the rest).
   */
  private boolean flushRequestCovered() {
    long target = flushTarget.get();
    return target >= batchFirstSeq && lastSeq >= target;
  }

  /**
   * Takes one message off the ring. The slot is cleared first (the ring must not keep it), so from
   * then on this method owns the message until the journal, the batch or the reporter does:
   * anything thrown before that (an {@link Error} included) is caught here and the message is
   * reported as {@code INTERNAL_ERROR}, never left behind. An exception escaping to the poller
   * would make it hand the same, already cleared slot over again, losing the message silently.
   */
  private boolean onEvent(Slot slot, long seq, boolean endOfBatch) {
    Object m = slot.message != null ? slot.message : slot.raw;
    slot.message = null;
    slot.raw = null;
    lastSeq = seq;
    consumedInPoll++;
    if (m == null) {
      return true; // never populated; cannot happen with tryPublishEvent, but never trust a slot
    }
    unsettled = m;
    try {
      return take(m, seq);
    } catch (Throwable t) {
      Object lost = unsettled;
      unsettled = null;
      LOG.error("Beacon's consumer hit an unexpected error and carries on", t);
      if (lost != null) {
        counters.releaseQueued(RawMessage.bound(lost));
        reporter.report(FailureReason.INTERNAL_ERROR, 0, List.of(RawMessage.message(lost)), "unexpected error: " + t, t);
      }
      return true;
    }
  }

  /** {@link #onEvent}'s work; clears {@link #unsettled} once someone else owns the message. */
  private boolean take(Object m, long seq) {
    if (journal != null) {
      boolean spooled;
      try {
        spooled = m instanceof RawMessage ? journal.tryAppend((RawMessage) m) : journal.tryAppend((Message) m);
      } catch (Exception | Error e) {
        unsettled = null;
        counters.releaseQueued(RawMessage.bound(m));
        reporter.report(FailureReason.INTERNAL_ERROR, 0, List.of(RawMessage.message(m)), "could not serialize: " + e, e);
        return true;
      }
      if (spooled) {
        unsettled = null;
        // On disk now: it no longer counts against the memory bound.
        counters.releaseQueued(RawMessage.bound(m));
        return true;
      }
      // Memory path (spool degraded): the producer waiting for this sequence may go on now, before
      // a forced cut below waits for a request slot.
      journal.diverted(seq);
      memoryPathSeq = seq;
    }
    if (asm.isEmpty()) {
      batchFirstSeq = seq;
      batchStartNanos = System.nanoTime();
      tracker.assembling(seq);
    }
    try {
      if (m instanceof RawMessage) {
        asm.add((RawMessage) m);
      } else {
        asm.add((Message) m);
      }
      unsettled = null; // in the batch: a cut or the final pass settles it
    } catch (Exception | Error e) {
      unsettled = null;
      counters.releaseQueued(RawMessage.bound(m));
      reporter.report(FailureReason.INTERNAL_ERROR, 0, List.of(RawMessage.message(m)), "could not serialize: " + e, e);
      if (asm.isEmpty()) {
        tracker.cut(seq);
        tracker.finished(seq);
      }
      return true;
    }
    if (memoryPathSeq == seq) {
      journal.commit(seq);
    }
    int n = asm.count();
    if (n > 1 && asm.requestBytes() > maxBatchBytes) {
      // The newest message does not fit: send the others, it starts the next batch.
      if (!forceCut(n - 1)) {
        return false;
      }
      batchFirstSeq = seq;
      batchStartNanos = System.nanoTime();
      tracker.assembling(seq);
      return false;
    }
    if (n >= maxBatchMessages || asm.requestBytes() >= maxBatchBytes) {
      forceCut(n);
      return false;
    }
    if (n >= flushAt && dispatcher.tryAcquire()) {
      cutAll();
      return false;
    }
    return true;
  }

  /** Waits for a request slot, then cuts; false when halted while waiting. */
  private boolean forceCut(int n) {
    if (!dispatcher.acquire(() -> halted)) {
      return false;
    }
    cut(n);
    return true;
  }

  private void cutAll() {
    cut(asm.count());
  }

  /**
   * Cuts the first {@code n} messages and hands them to the dispatcher, which owns the caller's
   * request slot from then on. Once {@link Assembler#cut} returned, the batch exists nowhere else:
   * a failure to hand it over (an {@link Error}, a scheduler that cannot start its thread) reports
   * it and closes its tracker entry, so that nothing is lost and {@code flush} does not wait for it.
   */
  private void cut(int n) {
    long first = batchFirstSeq;
    Assembler.Cut c = asm.cut(n);
    batchFirstSeq = -1;
    boolean tracked = false;
    try {
      tracker.cut(first);
      tracked = true;
      dispatcher.submit(c.batch(), c.reservedBytes(), () -> tracker.finished(first), false);
    } catch (Throwable t) {
      LOG.error("Beacon could not hand a batch of {} message(s) to its sender; they are reported", c.batch().size(), t);
      counters.releaseQueued(c.reservedBytes());
      dispatcher.releasePermit();
      reporter.report(FailureReason.INTERNAL_ERROR, 0, c.batch().messages(), "unexpected error: " + t, t);
      if (tracked) {
        tracker.finished(first);
      } else {
        tracker.assembling(-1);
      }
    }
  }

  boolean isSealed() {
    return seal.isSealed();
  }

  /** A producer that just published: true when the final pass may have missed it (see {@link Seal}). */
  boolean sealedAfterPublish() {
    return seal.sealedAfterPublish();
  }

  /**
   * The consumer's last pass (after a drain or a halt): seals the ring, then settles what is still
   * in it. What is left goes to the spool when there is one (it is sent on the next start);
   * everything else is reported as SHUTDOWN, never dropped silently.
   */
  private void finalPass() {
    List<Object> left = new ArrayList<>(asm.drainEntries());
    if (!left.isEmpty() && batchFirstSeq >= 0) {
      tracker.cut(batchFirstSeq);
      tracker.finished(batchFirstSeq);
    }
    synchronized (sweepLock) {
      seal.seal();
      settleRest(left);
    }
    if (journal != null) {
      journal.wakeJournalWaiters(); // producers waiting for a commit see the seal and settle themselves
    }
  }

  /**
   * Called by a producer that published after {@link #isSealed()} turned true: the consumer's final
   * pass may have missed its message, so it settles what is left in the ring itself.
   */
  void sweepLate() {
    synchronized (sweepLock) {
      settleRest(new ArrayList<>());
    }
  }

  /** Closes the spool so that no late sweep appends to it after; late messages are reported. */
  void closeSpool(dev.beacon.spi.Spool spool) {
    synchronized (sweepLock) {
      spoolClosed = true;
      if (journal != null) {
        journal.close();
      } else {
        spool.close();
      }
    }
  }

  /** Reads every published message left in the ring and journals or reports it. Holds sweepLock. */
  private void settleRest(List<Object> left) {
    try {
      poller.poll((slot, seq, end) -> {
        Object m = slot.message != null ? slot.message : slot.raw;
        slot.message = null;
        slot.raw = null;
        counters.consumed.incrementAndGet();
        tracker.processed(seq);
        lastSeq = seq;
        if (m != null) {
          if (journal != null && !spoolClosed && journalLeftover(m)) {
            counters.releaseQueued(RawMessage.bound(m));
          } else {
            left.add(m);
          }
        }
        return true;
      });
    } catch (Throwable e) {
      LOG.warn("Beacon could not read the rest of its queue at shutdown: {}", e.toString());
    }
    if (journal != null && !spoolClosed) {
      journal.commit(lastSeq);
    }
    if (!left.isEmpty()) {
      long bytes = 0;
      List<Message> messages = new ArrayList<>(left.size());
      for (Object m : left) {
        bytes += RawMessage.bound(m);
        messages.add(RawMessage.message(m));
      }
      counters.releaseQueued(bytes);
      reporter.report(FailureReason.SHUTDOWN, 0, messages, "not sent before the shutdown timeout", null);
    }
    tracker.progressed();
  }

  private boolean journalLeftover(Object m) {
    try {
      return m instanceof RawMessage ? journal.tryAppend((RawMessage) m) : journal.tryAppend((Message) m);
    } catch (Exception e) {
      return false;
    }
  }
}
