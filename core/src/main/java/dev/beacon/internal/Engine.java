package dev.beacon.internal;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.beacon.DeliveryException;
import dev.beacon.DropReason;
import dev.beacon.FailureReason;
import dev.beacon.FlushResult;
import dev.beacon.Message;
import dev.beacon.Stats;
import dev.beacon.spi.Batch;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery engine behind {@code Analytics}: a Disruptor multi-producer ring, one consumer
 * thread that batches, and a scheduler thread that sends and retries. Not API.
 */
public final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  /**
   * What close may take beyond its timeout to stop threads, settle deliveries and release
   * resources: one grace for the whole halt, not one per step.
   */
  public static final long HALT_GRACE_NANOS = 500_000_000L;
  /** With a spool, close stops waiting when every batch left waits at least this long for a retry. */
  private static final long BACKOFF_NOT_WORTH_WAITING_NANOS = 100_000_000L;

  private final EngineConfig cfg;
  private final Counters counters = new Counters();
  private final Tracker tracker = new Tracker();
  private final Reporter reporter;
  private final RingBuffer<Slot> ring;
  private final Dispatcher dispatcher;
  private final dev.beacon.spi.Transport transport;
  private final Consumer consumer;
  private final Journal journal;
  private final SpoolSender spoolSender;
  private final Thread senderThread;
  /** OS_CRASH: runs the syncs callers wait for ({@link Journal#runSyncs}); else null. */
  private final Thread syncThread;
  private final boolean waitForJournal;
  /** PROCESS_CRASH and OS_CRASH: callers append their own records ({@link Journal#appendOwn}). */
  private final boolean ownAppend;
  /** OS_CRASH: callers wait for a sync that covers their record. */
  private final boolean syncOnCall;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Thread consumerThread;
  private final Set<Thread> ownThreads = ConcurrentHashMap.newKeySet();
  private final ThreadFactory threads;
  private final LongAdder activeProducers = new LongAdder();
  /** Close waits here for {@link #activeProducers} to reach zero; signalled by every gate exit. */
  private final Signal gateLeft = new Signal();
  private final RateLimitedLog dropLog = new RateLimitedLog(LOG, 10_000_000_000L);
  private final RateLimitedLog syncLog = new RateLimitedLog(LOG, 10_000_000_000L);
  private final long blockNanos;
  private volatile State state = State.RUNNING;
  private final AtomicReference<CompletableFuture<FlushResult>> closing = new AtomicReference<>();

  /**
   * Starts an engine: its threads run until {@link #close(Duration)}.
   *
   * @param cfg validated settings
   * @param spoolDegraded true when a spool was asked for but could not be opened
   */
  public Engine(EngineConfig cfg, boolean spoolDegraded) {
    counters.spoolDegraded = spoolDegraded;
    this.cfg = cfg;
    this.reporter = new Reporter(counters, cfg.errorHandler());
    this.blockNanos = Durations.toNanos(cfg.queueFullPolicy().blockTimeout());
    int id = CLIENTS.incrementAndGet();
    this.threads = ownThreadFactory(cfg.threadFactory(), "beacon-" + id + "-");
    this.scheduler = new ScheduledThreadPoolExecutor(1, threads);
    scheduler.setRemoveOnCancelPolicy(true);
    // shutdown() must not wait for retry timers or attempt timeouts: the halt settles those deliveries.
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    // The wait strategy is unused: the consumer polls, so publishing never signals a lock.
    this.ring = RingBuffer.createMultiProducer(Slot::new, cfg.ringSize(), new YieldingWaitStrategy());
    this.transport = cfg.send() && cfg.transportFactory() != null
        ? cfg.transportFactory().apply(ownThreadFactory(cfg.threadFactory(), "beacon-" + id + "-transport-"))
        : null;
    this.dispatcher = new Dispatcher(cfg, transport, counters, reporter, scheduler);
    if (cfg.spool() != null) {
      // A commit wakes the sender only from its deep (idle) sleep, so a busy journaling path never
      // pays a syscall for it; while active the sender polls in short parks.
      SpoolSender[] senderRef = new SpoolSender[1];
      this.journal = new Journal(cfg.spool(), counters, () -> senderRef[0].wakeIfDeep(), scheduler);
      this.spoolSender = new SpoolSender(cfg, cfg.spool(), journal, dispatcher, counters, reporter);
      senderRef[0] = spoolSender;
      counters.recovered.set(cfg.spool().recoveredRecords());
      counters.spooled = () -> journal.totalRecords() - spoolSender.done();
      this.waitForJournal = cfg.spoolDurability() != dev.beacon.SpoolDurability.BUFFERED;
      this.ownAppend = waitForJournal;
      this.syncOnCall = cfg.spoolDurability() == dev.beacon.SpoolDurability.OS_CRASH;
      this.senderThread = newThreadOrClose(spoolSender, transport, scheduler);
    } else {
      this.journal = null;
      this.spoolSender = null;
      this.senderThread = null;
      this.waitForJournal = false;
      this.ownAppend = false;
      this.syncOnCall = false;
    }
    this.consumer = new Consumer(cfg, ring, dispatcher, tracker, counters, reporter, journal);
    SpoolSender sender = spoolSender;
    dispatcher.onPermitReleased(sender == null ? consumer::nudgeIfDeep : () -> {
      consumer.nudgeIfDeep();
      sender.wakeIfDeep();
    });
    Thread consumerT = null;
    Thread syncT = null;
    try {
      consumerT = threads.newThread(consumer);
      // The scheduler's one thread is made now, not at the first send: a factory that cannot make
      // it fails build() here instead of leaving accepted messages with no thread to send them.
      scheduler.prestartCoreThread();
      if (syncOnCall) {
        syncT = threads.newThread(journal::runSyncs);
      }
    } catch (RuntimeException | Error e) {
      releaseAfterFailedStart(e, transport, scheduler);
      throw e;
    }
    this.consumerThread = consumerT;
    this.syncThread = syncT;
    consumerThread.start();
    if (senderThread != null) {
      senderThread.start();
    }
    if (syncThread != null) {
      syncThread.start();
    }
  }

  /** Makes a thread with the client's factory; when it cannot, releases what was made and throws. */
  private Thread newThreadOrClose(Runnable task, dev.beacon.spi.Transport made,
      ScheduledThreadPoolExecutor sched) {
    try {
      return threads.newThread(task);
    } catch (RuntimeException | Error e) {
      releaseAfterFailedStart(e, made, sched);
      throw e;
    }
  }

  /**
   * A start that failed: stops the scheduler and closes the transport made for this client (one
   * the user gave the builder stays open: a corrected build uses it again).
   */
  private void releaseAfterFailedStart(Throwable e, dev.beacon.spi.Transport made,
      ScheduledThreadPoolExecutor sched) {
    sched.shutdownNow();
    if (made != null && !(cfg.transportFactory() instanceof GivenTransport)) {
      try {
        made.close();
      } catch (RuntimeException closeFailure) {
        e.addSuppressed(closeFailure);
      }
    }
  }

  /**
   * Wraps the user's factory so that threads are recorded as this client's own: calls made on them
   * (from the error callback, say) never wait for themselves. A factory that returns null gets a
   * clear error here rather than a client with a thread missing.
   */
  private ThreadFactory ownThreadFactory(ThreadFactory base, String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = base.newThread(() -> {
        ownThreads.add(Thread.currentThread());
        try {
          r.run();
        } finally {
          ownThreads.remove(Thread.currentThread());
        }
      });
      if (t == null) {
        throw new IllegalStateException("threadFactory returned null: Beacon cannot start its threads");
      }
      if (t.getName().startsWith("Thread-") || t.getName().startsWith("pool-")) {
        t.setName(prefix + n.incrementAndGet());
      }
      return t;
    };
  }

  private boolean onOwnThread() {
    return ownThreads.contains(Thread.currentThread());
  }

  /**
   * Enqueues a message without blocking (or waiting up to the block timeout).
   *
   * <p>The admission gate: a producer counts itself in {@link #activeProducers}, then checks the
   * state; the closer flips the state, then waits for the count to reach zero. Either the producer
   * sees the new state and refuses, or the closer sees the producer and waits for it. Inside the
   * gate nothing blocks (reserve, try to publish); waits for room happen outside it, so close never
   * waits for a full queue's block timeout. A producer that publishes after the consumer's final
   * pass settles the ring itself ({@link Consumer#sweepLate()}), so a call that returned true is
   * never lost, whatever the close timeout.
   *
   * @param m a built message
   * @return true when accepted
   */
  public boolean offer(Message m) {
    return offer(m, null, m.serializedSizeBound());
  }

  /**
   * Enqueues a message that is already its complete JSON, as {@link #offer(Message)} enqueues a
   * {@code Message}: the same admission gate, accounting, memory and spool bounds, queue-full
   * policy and durability, but its bytes are journaled and batched as they are, never decoded or
   * serialized again (the error callback and {@code onDelivered} get it decoded, on demand). The
   * caller runs plugins first, or uses {@link #offer(Message)} when there are any (see
   * {@link RawEntry}).
   *
   * @param m the message's JSON
   * @return true when accepted
   */
  public boolean offerRaw(RawMessage m) {
    return offer(null, m, m.size());
  }

  /** {@link #offer(Message)} and {@link #offerRaw}: exactly one of {@code m} and {@code raw} is set. */
  private boolean offer(Message m, RawMessage raw, long size) {
    long deadline = 0;
    while (true) {
      // OS_CRASH: this attempt's wait (the append lock, then the sync) ends at flushTimeout; a wait
      // for room before it (the block policy) has its own timeout.
      long syncDeadline = syncOnCall ? Durations.deadline(System.nanoTime(), cfg.flushTimeout()) : 0;
      DropReason refused;
      long seq = -1;
      long record = Journal.UNAVAILABLE;
      // With SPOOL_FULL: the room the message needs in the spool.
      long spoolNeed = 0;
      activeProducers.increment();
      try {
        if (state != State.RUNNING || consumer.isSealed()) {
          return drop(DropReason.CLOSED);
        }
        if (ownAppend) {
          if (journal.bypassPending()) {
            // An earlier call took the ring past a busy lock and is not journaled yet: follow it
            // through the ring, so that no thread's message overtakes its previous one.
            record = Journal.BUSY;
          } else {
            // Counted first, as on the ring path, so that no snapshot sees it delivered before accepted.
            counters.accepted.increment();
            counters.ownAppended.increment();
            // Never queue behind a stalled mapped write for longer than the budget (issue 20, item 6).
            record = m != null ? journal.appendOwn(m, Journal.LOCK_BUDGET_NANOS)
                : journal.appendOwn(raw, Journal.LOCK_BUDGET_NANOS);
            if (record <= 0) {
              counters.ownAppended.decrement();
              counters.accepted.decrement();
            }
          }
        }
        if (record > 0) {
          refused = null;
        } else if (Journal.isFull(record)) {
          refused = DropReason.SPOOL_FULL;
          spoolNeed = Journal.neededRoom(record);
        } else if (journal != null && !journal.reserve(size)) {
          // The ring with a spool (BUFFERED, degraded): the message's room is reserved before publishing.
          refused = DropReason.SPOOL_FULL;
          spoolNeed = size;
        } else {
          // The ring: no spool, BUFFERED, or the caller's own append was not possible.
          if (counters.queuedBytes.addAndGet(size) > cfg.maxQueueBytes()) {
            counters.releaseQueued(size);
            refused = DropReason.QUEUE_BYTES_FULL;
          } else {
            counters.accepted.increment();
            seq = tryPublish(m, raw);
            if (seq >= 0) {
              refused = null;
            } else {
              counters.accepted.decrement();
              counters.releaseQueued(size);
              refused = DropReason.QUEUE_FULL;
            }
          }
          if (refused != null && journal != null) {
            journal.release(size);
          }
        }
      } finally {
        activeProducers.decrement();
        gateLeft.signal(); // one volatile read unless close waits for the gate
      }
      if (record > 0) {
        if (syncOnCall && !onOwnThread()) {
          awaitSync(record, syncDeadline);
        }
        return true;
      }
      if (refused == null) {
        if (record == Journal.BUSY) {
          journal.bypassed(seq);
          counters.spoolLockBypasses.increment();
          afterBypass(seq, syncDeadline);
        } else {
          afterPublish(seq);
        }
        return true;
      }
      // Outside the gate from here: a waiting caller never holds close() up.
      if (!canBlock()) {
        return drop(refused);
      }
      long now = System.nanoTime();
      if (deadline == 0) {
        deadline = now + blockNanos;
      }
      if (now - deadline >= 0 || Thread.currentThread().isInterrupted()) {
        return drop(refused);
      }
      if (refused == DropReason.SPOOL_FULL) {
        if (spoolNeed > journal.maxBytes()) {
          return drop(refused); // larger than the whole spool: no acknowledgement can make room
        }
        // Woken by the acknowledgement that frees room (or by close), never by polling.
        if (!journal.awaitSpace(spoolNeed, deadline, this::closing)) {
          if (closing()) {
            continue; // the gate refuses it as CLOSED
          }
          return drop(refused);
        }
      } else {
        // Woken when the consumer frees ring slots or a batch's bytes are released, or by close;
        // then the loop tries again (and may race other producers for the room).
        awaitQueueRoom(refused, size, deadline);
      }
    }
  }

  /** The {@code block} policy on a full queue: waits for room of the kind that was missing. */
  private void awaitQueueRoom(DropReason refused, long size, long deadline) {
    long max = cfg.maxQueueBytes();
    if (refused == DropReason.QUEUE_FULL) {
      counters.queueRoom.await(() -> closing() || ring.hasAvailableCapacity(1), deadline);
    } else {
      counters.queueRoom.await(() -> closing() || counters.queuedBytes.get() + size <= max, deadline);
    }
  }

  /** True once close() began: new calls are refused. */
  private boolean closing() {
    return state != State.RUNNING || consumer.isSealed();
  }

  /**
   * OS_CRASH: waits, at most {@code flushTimeout}, for a sync covering the caller's record. A wait
   * that ends without one (timeout, interrupt, failed sync) is counted in
   * {@code stats().spoolSyncTimeouts()} and logged at a bounded rate; the record stays in the
   * journal and is sent.
   */
  private void awaitSync(long record, long deadline) {
    if (journal.awaitDurable(record, deadline)) {
      return;
    }
    syncMissed();
  }

  /**
   * A call that took the ring path past a busy append lock ({@link Journal#BUSY}): the consumer
   * journals its message, together with every other call that did the same, as soon as the lock
   * is free. The call keeps its mode's guarantee: with {@code PROCESS_CRASH} it returns once its
   * message is journaled (as any ring-path call, {@link #afterPublish}); with {@code OS_CRASH} once
   * a sync covers it, or at its {@code flushTimeout} deadline, counted in
   * {@code spoolSyncTimeouts} like a late sync (a device stalled under the lock then holds it no
   * longer than its own sync would).
   */
  private void afterBypass(long seq, long syncDeadline) {
    if (!syncOnCall) {
      afterPublish(seq);
      return;
    }
    consumer.nudgeIfDeep();
    consumer.nudge();
    if (!onOwnThread() && !journal.awaitRingDurable(seq, syncDeadline)) {
      syncMissed();
    }
    if (consumer.sealedAfterPublish()) {
      consumer.sweepLate();
    }
  }

  /** Counts and logs (rate-limited) an {@code OS_CRASH} call that returns without its sync. */
  private void syncMissed() {
    counters.spoolSyncTimeouts.increment();
    if (syncLog.due()) {
      syncLog.log("Beacon accepted a message whose OS_CRASH sync did not finish within flushTimeout {}"
          + " (or failed): it is journaled and will be sent, but may not survive an OS crash; see"
          + " stats().spoolSyncTimeouts()", cfg.flushTimeout());
    }
  }

  /** Claims and fills a slot without waiting; returns its sequence, or -1 when the ring is full. */
  private long tryPublish(Message m, RawMessage raw) {
    long seq;
    try {
      seq = ring.tryNext();
    } catch (com.lmax.disruptor.InsufficientCapacityException full) {
      return -1;
    }
    try {
      Slot slot = ring.get(seq);
      slot.message = m;
      slot.raw = raw;
    } finally {
      ring.publish(seq);
    }
    return seq;
  }

  /**
   * With a spool (except BUFFERED), waits for the group commit that covers {@code seq}; then, if
   * the consumer made its final pass meanwhile, settles the ring (journal or report) here.
   */
  private void afterPublish(long seq) {
    consumer.nudgeIfDeep();
    if (waitForJournal) {
      consumer.nudge();
      if (!onOwnThread()) {
        journal.awaitJournaled(seq, consumer::isSealed);
      }
    }
    if (consumer.sealedAfterPublish()) {
      consumer.sweepLate();
    }
  }

  private boolean canBlock() {
    return blockNanos > 0 && !onOwnThread();
  }

  private boolean drop(DropReason reason) {
    counters.dropped(reason);
    if (dropLog.due()) {
      if (reason == DropReason.CLOSED) {
        dropLog.log("Beacon refused a message: the client is closed");
      } else if (reason == DropReason.NO_REQUEST_SLOT) {
        dropLog.log("Beacon refused a sync-mode message: no request slot within flushTimeout {}",
            cfg.flushTimeout());
      } else if (reason == DropReason.SPOOL_FULL) {
        dropLog.log("Beacon refused a message: SPOOL_FULL (maxSpoolBytes={} reached, {} bytes pending,"
            + " queueFullPolicy={}); see stats()", journal.maxBytes(), journal.pendingBytes(),
            cfg.queueFullPolicy());
      } else if (reason == DropReason.QUEUE_FULL) {
        dropLog.log("Beacon refused a message: QUEUE_FULL (maxQueueSize={} reached, queueFullPolicy={});"
            + " see stats()", cfg.ringSize(), cfg.queueFullPolicy());
      } else if (reason == DropReason.QUEUE_BYTES_FULL) {
        dropLog.log("Beacon refused a message: QUEUE_BYTES_FULL (maxQueueBytes={} reached, queueFullPolicy={});"
            + " see stats()", cfg.maxQueueBytes(), cfg.queueFullPolicy());
      } else {
        dropLog.log("Beacon refused a message: {} (maxQueueSize={}, maxQueueBytes={}); see stats()",
            reason, cfg.ringSize(), cfg.maxQueueBytes());
      }
    }
    return false;
  }

  /**
   * Delivers one message before returning (sync mode). The call passes the same admission gate
   * as {@link #offer}: it is either refused as closed, or handed to the dispatcher before close
   * halts it, in which case a halt reports it as {@code SHUTDOWN} to the caller and the callback.
   *
   * @param m a built message
   * @return true when delivered; false when refused (client closed, or {@code maxQueueBytes} full)
   * @throws DeliveryException when delivery finally failed, was not confirmed within flushTimeout,
   *     or no request slot freed up within flushTimeout (counted as {@link DropReason#NO_REQUEST_SLOT})
   */
  public boolean sendSync(Message m) {
    long size = m.serializedSizeBound();
    boolean own = onOwnThread();
    long deadline = Durations.deadline(System.nanoTime(), cfg.flushTimeout());
    // A request slot, like any batch: concurrent sync callers respect maxConcurrentRequests.
    if (!own && !dispatcher.acquireUntil(deadline)) {
      if (state != State.RUNNING) {
        return drop(DropReason.CLOSED);
      }
      drop(DropReason.NO_REQUEST_SLOT);
      throw new DeliveryException(FailureReason.DEADLINE_EXCEEDED, 0, 1,
          "no request slot within flushTimeout " + cfg.flushTimeout() + "; the message was not sent", null);
    }
    CompletableFuture<Void> done;
    activeProducers.increment();
    try {
      DropReason refused = null;
      if (state != State.RUNNING) {
        refused = DropReason.CLOSED;
      } else if (counters.queuedBytes.addAndGet(size) > cfg.maxQueueBytes()) {
        counters.releaseQueued(size);
        refused = DropReason.QUEUE_BYTES_FULL;
      }
      if (refused != null) {
        if (!own) {
          dispatcher.releasePermit();
        }
        return drop(refused);
      }
      counters.syncAccepted.incrementAndGet();
      counters.accepted.increment();
      done = dispatcher.submitSync(Batch.of(List.of(m)), size, !own);
    } finally {
      activeProducers.decrement();
      gateLeft.signal();
    }
    if (own) {
      // Called from the error callback: waiting would block the thread that delivers. The outcome
      // is counted and reported to the callback like any other.
      return true;
    }
    try {
      done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DeliveryException) {
        throw (DeliveryException) e.getCause();
      }
      throw new DeliveryException(FailureReason.INTERNAL_ERROR, 0, 1, e.getCause().toString(), e.getCause());
    } catch (TimeoutException e) {
      throw new DeliveryException(FailureReason.DEADLINE_EXCEEDED, 0, 1,
          "not confirmed within flushTimeout " + cfg.flushTimeout()
              + "; it is still being retried and any final failure goes to the error callback", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException(FailureReason.INTERNAL_ERROR, 0, 1,
          "interrupted while waiting; the message is still being delivered", e);
    }
  }

  /**
   * Waits until every message accepted before the call is delivered or reported.
   *
   * @param timeout the longest wait
   * @return what was achieved
   */
  public FlushResult flush(Duration timeout) {
    long start = System.nanoTime();
    long failedBefore = counters.failed.get();
    long target = ring.getCursor();
    long deadline = Durations.deadline(start, timeout);
    if (journal != null) {
      return flushSpooled(target, start, deadline, failedBefore);
    }
    if (target < 0 || tracker.watermark() > target) {
      return result(true, start, failedBefore);
    }
    consumer.requestFlush(target);
    if (onOwnThread()) {
      return result(false, start, failedBefore);
    }
    boolean done;
    try {
      done = tracker.await(target, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    return result(done, start, failedBefore);
  }

  /** Flush with a spool: journal everything up to target, then wait for the sender to finish it. */
  private FlushResult flushSpooled(long target, long start, long deadline, long failedBefore) {
    consumer.requestFlush(target);
    if (onOwnThread()) {
      return result(false, start, failedBefore);
    }
    boolean done = false;
    try {
      // Woken by the consumer's commits; while the consumer waits for a request slot (API down,
      // spool degraded) this sleeps until the deadline instead of polling.
      boolean journaled = journal.awaitJournaledUntil(target, deadline);
      long records = journal.totalRecords();
      spoolSender.requestFlush(records);
      done = journaled
          && spoolSender.await(records, deadline)
          && tracker.await(target, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return result(done, start, failedBefore);
  }

  private FlushResult result(boolean complete, long startNanos, long failedBefore) {
    Stats s = counters.snapshot();
    return new FlushResult(complete, s.pending(), counters.failed.get() - failedBefore,
        Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /**
   * Returns the counters.
   *
   * @return a snapshot
   */
  public Stats stats() {
    return counters.snapshot();
  }

  /**
   * Returns whether close has begun.
   *
   * @return true once closing
   */
  public boolean isClosed() {
    return state != State.RUNNING;
  }

  /**
   * Stops accepting, sends what is pending within the timeout, reports the rest as
   * {@code SHUTDOWN}, closes the transport and stops every thread. Returns within the timeout plus
   * {@link #HALT_GRACE_NANOS} (plus the time of the error callback for what it reports).
   * Idempotent: later calls wait for the first one (bounded by their own timeout).
   *
   * @param timeout the longest wait for delivery
   * @return what was achieved
   */
  public FlushResult close(Duration timeout) {
    long start = System.nanoTime();
    CompletableFuture<FlushResult> mine = new CompletableFuture<>();
    CompletableFuture<FlushResult> existing = closing.compareAndExchange(null, mine);
    if (existing != null) {
      return awaitClose(existing, timeout, start);
    }
    // From here this thread (or the one it starts) owns every state change.
    state = State.DRAINING;
    counters.queueRoom.signal(); // callers waiting for room in the queue see the close and are refused
    if (journal != null) {
      journal.spaceFreed(); // callers waiting for room in the spool see the close and are refused
    }
    if (onOwnThread()) {
      // Never wait for ourselves: finish the close on a fresh thread.
      Thread t = closingThread(() -> mine.complete(doClose(timeout, System.nanoTime())), "beacon-close");
      t.setDaemon(true);
      t.start();
      return result(false, start, counters.failed.get());
    }
    FlushResult r;
    try {
      r = doClose(timeout, start);
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    }
    mine.complete(r);
    return r;
  }

  private FlushResult awaitClose(CompletableFuture<FlushResult> f, Duration timeout, long start) {
    if (onOwnThread()) {
      return result(f.isDone(), start, counters.failed.get());
    }
    try {
      return f.get(Durations.toNanos(timeout) + HALT_GRACE_NANOS, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // fall through
    }
    return result(false, start, counters.failed.get());
  }

  /**
   * The lifecycle, owned by the closing thread: DRAINING (no new calls; wait for calls in the gate,
   * then send everything until the deadline) → HALTING (only when the deadline passed: stop the
   * consumer and the spool reader, settle every delivery, within one grace period) → CLOSED
   * (transport, scheduler and spool closed, threads joined). See docs/architecture.md.
   */
  private FlushResult doClose(Duration timeout, long start) {
    long failedBefore = counters.failed.get();
    long deadline = Durations.deadline(start, timeout);
    boolean complete = false;
    long target = -1;
    try {
      awaitGate(deadline);
      target = ring.getCursor();
      consumer.drain();
      complete = consumer.exited.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
          && tracker.await(target, deadline);
      if (spoolSender != null && consumer.exited.getCount() == 0) {
        spoolSender.drain();
        complete = awaitSpoolSender(deadline) && complete;
      }
      complete = complete && dispatcher.awaitIdle(deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long haltDeadline = Math.max(System.nanoTime(), deadline) + HALT_GRACE_NANOS;
    if (!complete) {
      state = State.HALTING;
      consumer.halt();
      if (spoolSender != null) {
        spoolSender.halt();
      }
      awaitGate(haltDeadline);
      awaitLatch(consumer.exited, haltDeadline);
      if (spoolSender != null) {
        awaitLatch(spoolSender.exited, haltDeadline);
      }
    }
    // Always: a sync call that slipped through a timed-out gate wait is settled, not stranded.
    // Spooled batches still in flight stay in the spool for the next start; the rest is reported.
    dispatcher.haltAll(haltDeadline);
    if (transport != null) {
      closeBounded("transport", transport::close, haltDeadline);
    }
    scheduler.shutdown();
    if (cfg.spool() != null) {
      closeBounded("spool", () -> consumer.closeSpool(cfg.spool()), haltDeadline);
    }
    try {
      if (!scheduler.awaitTermination(Math.max(0, haltDeadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        // The scheduler thread fell behind (a slow error callback, or a starved machine). Tasks it
        // never started would be dropped: run them here instead — each step of a delivery sees the
        // halt and settles it (delivered if the transport said so, else SHUTDOWN or back to the
        // spool) — then settle whatever is still open.
        for (Runnable task : scheduler.shutdownNow()) {
          runQuietly(task);
        }
        dispatcher.haltAll(System.nanoTime() + HALT_GRACE_NANOS / 10);
      }
      consumerThread.join(Math.max(1, (haltDeadline - System.nanoTime()) / 1_000_000));
      if (senderThread != null) {
        senderThread.join(Math.max(1, (haltDeadline - System.nanoTime()) / 1_000_000));
      }
      if (syncThread != null) {
        // Stopped by the spool's close; one stuck in a stalled device's sync is left to finish.
        syncThread.join(Math.max(1, (haltDeadline - System.nanoTime()) / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    state = State.CLOSED;
    FlushResult r = result(complete, start, failedBefore);
    if (cfg.debug()) {
      LOG.info("Beacon closed: {}", stats());
    }
    return r;
  }

  /**
   * Waits for the spool reader to send everything journaled. Returns early (false) when what is
   * left only waits for a retry backoff (the API is failing) with no attempt in flight: everything
   * is safe on disk and is sent at the next start, so close need not sit out its timeout.
   */
  private boolean awaitSpoolSender(long deadline) throws InterruptedException {
    // Woken by the sender's exit and by every delivery that ends or starts a backoff: the only
    // changes that can make either condition true (time only brings a backoff nearer).
    boolean[] backoffsOnly = new boolean[1];
    dispatcher.awaitSettled(() -> spoolSender.exited.getCount() == 0
        || (backoffsOnly[0] = dispatcher.onlySpooledBackoffsLeft(BACKOFF_NOT_WORTH_WAITING_NANOS)), deadline);
    if (spoolSender.exited.getCount() == 0) {
      return true;
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (backoffsOnly[0]) {
      LOG.info("Beacon is closing while the API is failing: {} message(s) stay in the spool and are"
          + " sent at the next start", counters.spooled.getAsLong());
    }
    return false;
  }

  /**
   * A thread for a step of close: the client's factory's, or, when that factory fails or returns
   * null by now, a plain daemon thread, so that close always releases the transport, the scheduler
   * and the spool.
   */
  private Thread closingThread(Runnable task, String name) {
    try {
      return threads.newThread(task);
    } catch (RuntimeException e) {
      LOG.warn("Beacon's threadFactory could not make a thread to close the client ({}); using a plain"
          + " thread", e.toString());
      Thread t = new Thread(task, name);
      t.setDaemon(true);
      return t;
    }
  }

  private static void runQuietly(Runnable task) {
    try {
      task.run();
    } catch (Throwable e) {
      LOG.warn("Beacon's close: a delivery step failed: {}", e.toString());
    }
  }

  /**
   * Waits for the calls inside the admission gate to leave it. They never block inside it, so this
   * ends at once unless a caller's thread is descheduled. Each caller leaving the gate signals
   * {@link #gateLeft} after its decrement (an atomic update), and this registers before it sums
   * the count, so the last one out always wakes it (see {@link Signal}); an interrupt ends the wait.
   */
  private void awaitGate(long deadlineNanos) {
    gateLeft.await(() -> activeProducers.sum() == 0, deadlineNanos);
  }

  private static void awaitLatch(java.util.concurrent.CountDownLatch latch, long deadlineNanos) {
    try {
      latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Closes a resource on a helper thread and waits until the deadline at most, so that a resource
   * that hangs cannot hold {@code close()} past its grace.
   */
  private void closeBounded(String what, Runnable close, long deadlineNanos) {
    Thread t = closingThread(() -> {
      try {
        close.run();
      } catch (Throwable e) {
        LOG.warn("Beacon's {} failed to close: {}", what, e.toString());
      }
    }, "beacon-close-" + what);
    t.setDaemon(true);
    t.start();
    try {
      t.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.warn("Beacon's {} did not close within close()'s grace; leaving it to finish in the background", what);
    }
  }

  /** The client's lifecycle; changed only by the thread that runs close. */
  private enum State {
    /** Accepting calls. */
    RUNNING,
    /** Refusing calls; sending what was accepted until the close deadline. */
    DRAINING,
    /** The deadline passed: stopping threads and reporting what is left, within the grace. */
    HALTING,
    /** Everything settled or left in the spool; resources closed. */
    CLOSED
  }
}
