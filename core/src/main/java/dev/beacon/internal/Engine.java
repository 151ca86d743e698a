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
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery engine behind {@code Analytics}: a Disruptor multi-producer ring, one consumer
 * thread that batches, and a scheduler thread that sends and retries. Not API.
 */
public final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  /** What close may take beyond its timeout to stop threads and release resources. */
  private static final long HALT_GRACE_NANOS = 300_000_000L;

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
  private final boolean waitForJournal;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Thread consumerThread;
  private final Set<Thread> ownThreads = ConcurrentHashMap.newKeySet();
  private final ThreadFactory threads;
  private final LongAdder activeProducers = new LongAdder();
  private final RateLimitedLog dropLog = new RateLimitedLog(LOG, 10_000_000_000L);
  private final long blockNanos;
  private volatile boolean closed;
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
    this.blockNanos = cfg.queueFullPolicy().blockTimeout().toNanos();
    int id = CLIENTS.incrementAndGet();
    this.threads = ownThreadFactory(cfg.threadFactory(), "beacon-" + id + "-");
    this.scheduler = new ScheduledThreadPoolExecutor(1, threads);
    scheduler.setRemoveOnCancelPolicy(true);
    // The wait strategy is unused: the consumer polls, so publishing never signals a lock.
    this.ring = RingBuffer.createMultiProducer(Slot::new, cfg.ringSize(), new YieldingWaitStrategy());
    this.transport = cfg.send() && cfg.transportFactory() != null
        ? cfg.transportFactory().apply(ownThreadFactory(cfg.threadFactory(), "beacon-" + id + "-transport-"))
        : null;
    this.dispatcher = new Dispatcher(cfg, transport, counters, reporter, scheduler);
    if (cfg.spool() != null) {
      // The sender polls the journal on its own (parking at most 2 ms): waking it on every group
      // commit would put a syscall on the journaling path.
      this.journal = new Journal(cfg.spool(), counters, () -> { });
      this.spoolSender = new SpoolSender(cfg, cfg.spool(), journal, dispatcher, counters, reporter);
      counters.recovered.set(cfg.spool().recoveredRecords());
      counters.spooled = () -> journal.totalRecords() - spoolSender.done();
      this.waitForJournal = cfg.spoolDurability() != dev.beacon.SpoolDurability.BUFFERED;
      this.senderThread = threads.newThread(spoolSender);
    } else {
      this.journal = null;
      this.spoolSender = null;
      this.senderThread = null;
      this.waitForJournal = false;
    }
    this.consumer = new Consumer(cfg, ring, dispatcher, tracker, counters, reporter, journal);
    this.consumerThread = threads.newThread(consumer);
    consumerThread.start();
    if (senderThread != null) {
      senderThread.start();
    }
  }

  /**
   * Wraps the user's factory so that threads are recorded as this client's own: calls made on them
   * (from the error callback, say) never wait for themselves.
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
   * @param m a built message
   * @return true when accepted
   */
  public boolean offer(Message m) {
    activeProducers.increment();
    try {
      if (closed) {
        return drop(DropReason.CLOSED);
      }
      long size = m.serializedSizeBound();
      if (journal != null && !journal.reserve(size)) {
        return drop(DropReason.SPOOL_FULL);
      }
      long deadline = 0;
      if (counters.queuedBytes.addAndGet(size) > cfg.maxQueueBytes()) {
        counters.queuedBytes.addAndGet(-size);
        if (!canBlock()) {
          return dropReserved(DropReason.QUEUE_BYTES_FULL, size);
        }
        deadline = System.nanoTime() + blockNanos;
        while (true) {
          if (closed) {
            return dropReserved(DropReason.CLOSED, size);
          }
          if (counters.queuedBytes.addAndGet(size) <= cfg.maxQueueBytes()) {
            break;
          }
          counters.queuedBytes.addAndGet(-size);
          if (System.nanoTime() - deadline >= 0) {
            return dropReserved(DropReason.QUEUE_BYTES_FULL, size);
          }
          LockSupport.parkNanos(20_000);
        }
      }
      counters.accepted.increment();
      if (publish(m)) {
        return true;
      }
      if (canBlock()) {
        if (deadline == 0) {
          deadline = System.nanoTime() + blockNanos;
        }
        while (!closed && System.nanoTime() - deadline < 0) {
          LockSupport.parkNanos(20_000);
          if (publish(m)) {
            return true;
          }
        }
      }
      counters.accepted.decrement();
      counters.queuedBytes.addAndGet(-size);
      if (journal != null) {
        journal.release(size);
      }
      return drop(closed ? DropReason.CLOSED : DropReason.QUEUE_FULL);
    } finally {
      activeProducers.decrement();
    }
  }

  /** Publishes into the ring; with a spool, returns only once the message is journaled. */
  private boolean publish(Message m) {
    if (!waitForJournal) {
      return ring.tryPublishEvent(Slot.TRANSLATOR, m);
    }
    long seq;
    try {
      seq = ring.tryNext();
    } catch (com.lmax.disruptor.InsufficientCapacityException full) {
      return false;
    }
    try {
      ring.get(seq).message = m;
    } finally {
      ring.publish(seq);
    }
    consumer.nudge();
    awaitJournaled(seq);
    return true;
  }

  /**
   * Waits for the consumer's group commit to cover {@code seq}: spin briefly, then yield, then
   * park. The consumer never stops while the client is open and journals everything left in the
   * ring when it closes, so the wait ends; on our own threads we do not wait at all.
   */
  private void awaitJournaled(long seq) {
    if (onOwnThread()) {
      return;
    }
    for (int i = 0; journal.journaledSeq() < seq; i++) {
      if (i < 64) {
        Thread.onSpinWait();
      } else if (i < 128) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(20_000);
        if (consumer.exited.getCount() == 0) {
          return; // halted: whatever is left in the ring is reported by the consumer
        }
      }
    }
  }

  private boolean canBlock() {
    return blockNanos > 0 && !onOwnThread();
  }

  private boolean dropReserved(DropReason reason, long size) {
    if (journal != null) {
      journal.release(size);
    }
    return drop(reason);
  }

  private boolean drop(DropReason reason) {
    counters.dropped(reason);
    if (dropLog.due()) {
      if (reason == DropReason.CLOSED) {
        dropLog.log("Beacon refused a message: the client is closed");
      } else {
        dropLog.log("Beacon refused a message: {} (maxQueueSize={}, maxQueueBytes={}); see stats()",
            reason, cfg.ringSize(), cfg.maxQueueBytes());
      }
    }
    return false;
  }

  /**
   * Delivers one message before returning (sync mode).
   *
   * @param m a built message
   * @return true when delivered; false when refused because the client is closed
   * @throws DeliveryException when delivery finally failed or was not confirmed within flushTimeout
   */
  public boolean sendSync(Message m) {
    if (closed) {
      return drop(DropReason.CLOSED);
    }
    long size = m.serializedSizeBound();
    boolean own = onOwnThread();
    long deadline = System.nanoTime() + cfg.flushTimeout().toNanos();
    // A request slot, like any batch: concurrent sync callers respect maxConcurrentRequests.
    if (!own && !dispatcher.acquireUntil(deadline)) {
      throw new DeliveryException(FailureReason.DEADLINE_EXCEEDED, 0, 1,
          "no request slot within flushTimeout " + cfg.flushTimeout() + "; the message was not sent", null);
    }
    counters.queuedBytes.addAndGet(size);
    counters.syncAccepted.incrementAndGet();
    counters.accepted.increment();
    CompletableFuture<Void> done = dispatcher.submitSync(Batch.of(List.of(m)), size, !own);
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
    long deadline = start + timeout.toNanos();
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
      while (journal.journaledSeq() < target && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(50_000);
      }
      long records = journal.totalRecords();
      spoolSender.requestFlush(records);
      done = journal.journaledSeq() >= target
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
   * Creates an unstarted thread with the client's thread factory (for the shutdown hook).
   *
   * @param task what it runs
   * @return the thread
   */
  public Thread newThread(Runnable task) {
    return cfg.threadFactory().newThread(task);
  }

  /**
   * Returns whether close has begun.
   *
   * @return true once closing
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops accepting, sends what is pending within the timeout, reports the rest as
   * {@code SHUTDOWN}, closes the transport and stops every thread. Idempotent: later calls wait
   * for the first one (bounded by their own timeout).
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
    closed = true;
    if (onOwnThread()) {
      // Never wait for ourselves: finish the close on a fresh thread.
      Thread t = threads.newThread(() -> mine.complete(doClose(timeout, System.nanoTime())));
      t.setDaemon(true);
      t.start();
      return result(false, start, counters.failed.get());
    }
    FlushResult r = doClose(timeout, start);
    mine.complete(r);
    return r;
  }

  private FlushResult awaitClose(CompletableFuture<FlushResult> f, Duration timeout, long start) {
    if (onOwnThread()) {
      return result(f.isDone(), start, counters.failed.get());
    }
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // fall through
    }
    return result(false, start, counters.failed.get());
  }

  private FlushResult doClose(Duration timeout, long start) {
    long failedBefore = counters.failed.get();
    long deadline = start + timeout.toNanos();
    // Producers that passed the closed check before it flipped finish publishing first.
    while (activeProducers.sum() > 0 && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
    long target = ring.getCursor();
    consumer.drain();
    boolean complete = false;
    try {
      complete = consumer.exited.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
          && tracker.await(target, deadline);
      if (spoolSender != null && consumer.exited.getCount() == 0) {
        spoolSender.drain();
        complete = spoolSender.exited.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
            && complete;
      }
      complete = complete && awaitSyncDeliveries(deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!complete) {
      consumer.halt();
      if (spoolSender != null) {
        spoolSender.halt();
      }
      try {
        consumer.exited.await(HALT_GRACE_NANOS, TimeUnit.NANOSECONDS);
        if (spoolSender != null) {
          spoolSender.exited.await(HALT_GRACE_NANOS, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Spooled batches still in flight stay in the spool for the next start; the rest is reported.
      dispatcher.haltAll(HALT_GRACE_NANOS);
    }
    if (transport != null) {
      closeBounded("transport", transport::close);
    }
    scheduler.shutdownNow();
    if (cfg.spool() != null) {
      closeBounded("spool", cfg.spool()::close);
    }
    try {
      scheduler.awaitTermination(HALT_GRACE_NANOS, TimeUnit.NANOSECONDS);
      consumerThread.join(HALT_GRACE_NANOS / 1_000_000);
      if (senderThread != null) {
        senderThread.join(HALT_GRACE_NANOS / 1_000_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    FlushResult r = result(complete, start, failedBefore);
    if (cfg.debug()) {
      LOG.info("Beacon closed: {}", stats());
    }
    return r;
  }

  /**
   * Closes a resource on a helper thread and waits at most {@link #HALT_GRACE_NANOS}, so that a
   * resource that hangs cannot hold {@code close()} past its timeout.
   */
  private void closeBounded(String what, Runnable close) {
    Thread t = threads.newThread(() -> {
      try {
        close.run();
      } catch (Throwable e) {
        LOG.warn("Beacon's {} failed to close: {}", what, e.toString());
      }
    });
    t.setDaemon(true);
    t.start();
    try {
      t.join(HALT_GRACE_NANOS / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.warn("Beacon's {} did not close within {} ms; leaving it to finish in the background", what,
          HALT_GRACE_NANOS / 1_000_000);
    }
  }

  private boolean awaitSyncDeliveries(long deadline) throws InterruptedException {
    while (counters.snapshot().pending() > 0) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(1);
    }
    return true;
  }
}
