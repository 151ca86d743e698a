package dev.beacon.internal;

import dev.beacon.FailureReason;
import dev.beacon.RetryPolicy;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends batches through the transport and owns what happens next: retry with backoff or after
 * {@code Retry-After}, split on 413, report final failures.
 *
 * <p>Each delivery is registered in {@link #active} the moment it is handed over (before any task
 * for it is queued), and every step of it runs under the delivery's own lock, normally on the
 * scheduler thread. So at a halt, {@link #haltAll} can settle every delivery from the closing
 * thread — including those whose first task is still queued, or whose thread is busy in a slow
 * error callback — without a task ever being dropped unreported. After {@link #halted} is set,
 * every step of a delivery ends it: {@code SHUTDOWN} for a memory batch, back to the spool for a
 * spooled one. Not API.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");

  private final Transport transport;
  private final RetryPolicy policy;
  private final boolean send;
  private final boolean debug;
  private final Counters counters;
  private final Reporter reporter;
  private final ScheduledExecutorService scheduler;
  private final Semaphore permits;
  private final long attemptTimeoutNanos;
  private final RateLimitedLog retryLog = new RateLimitedLog(LOG, 5_000_000_000L);
  /** Deliveries handed over and not finished yet; registered before their first task is queued. */
  private final Set<Delivery> active = ConcurrentHashMap.newKeySet();
  /**
   * Signalled whenever a delivery ends or starts a backoff: {@link #awaitIdle} and close's wait
   * for the spool reader ({@link #onlySpooledBackoffsLeft}) wait here.
   */
  private final Signal settled = new Signal();
  /** Signalled when a request slot frees up: {@link #acquire} and {@link #acquireUntil} wait here. */
  private final Signal slotFreed = new Signal();
  private volatile boolean halted;
  private final dev.beacon.DeliveryObserver observer;
  /** The user's {@code onDelivered}, or null: then a delivery costs no extra work. */
  private final dev.beacon.DeliveryCallback delivered;
  /** Told when a request slot frees up (wakes an idle consumer or spool reader waiting for one). */
  private volatile Runnable permitReleased = () -> { };

  Dispatcher(EngineConfig cfg, Transport transport, Counters counters, Reporter reporter,
      ScheduledExecutorService scheduler) {
    this.transport = transport;
    this.policy = cfg.retryPolicy();
    this.send = cfg.send() && transport != null;
    this.debug = cfg.debug();
    this.counters = counters;
    this.reporter = reporter;
    this.scheduler = scheduler;
    int concurrency = transport == null ? 1 : Math.max(1, transport.maxConcurrentRequests());
    this.permits = new Semaphore(concurrency);
    Duration t = transport == null ? Duration.ofMinutes(2) : transport.attemptTimeout();
    this.attemptTimeoutNanos = Durations.toNanos(t);
    this.observer = cfg.deliveryObserver();
    this.delivered = cfg.deliveryCallback();
  }

  boolean tryAcquire() {
    return permits.tryAcquire();
  }

  /**
   * Whether a request slot is free now (a volatile read of the semaphore's state). A sleeper with a
   * batch waiting for a slot re-checks this after raising the flag that {@link #releaseSlot()}'s
   * listener reads: the release is an atomic update, so one of the two sees the other.
   */
  boolean hasFreeSlot() {
    return permits.availablePermits() > 0;
  }

  void onPermitReleased(Runnable listener) {
    this.permitReleased = listener;
  }

  private void releaseSlot() {
    permits.release(); // an atomic update, then the signal: see Signal
    slotFreed.signal();
    permitReleased.run();
  }

  /** Returns a slot taken with {@link #acquireUntil} that is not used after all. */
  void releasePermit() {
    releaseSlot();
  }

  /**
   * Waits for a request slot until the deadline; false when it passed first or on interrupt (the
   * interrupt stays set). Woken by every slot released.
   */
  boolean acquireUntil(long deadlineNanos) {
    return slotFreed.await(permits::tryAcquire, deadlineNanos);
  }

  /**
   * Waits for a request slot; false when {@code stop} turned true first. Interrupts do not end
   * the wait (the consumer and the spool reader hold messages that must be cut): it ends only by a
   * slot or {@code stop}. Woken by every slot released and, for {@code stop}, by whoever changes
   * it unparking the waiting thread ({@link Consumer#halt()}, {@link SpoolSender#halt()}), so there
   * is no timed wait at all.
   */
  boolean acquire(BooleanSupplier stop) {
    boolean[] got = new boolean[1];
    // Interrupts cleared on purpose: only a halt stops the consumer (see Consumer#run).
    slotFreed.awaitUninterruptibly(() -> (got[0] = permits.tryAcquire()) || stop.getAsBoolean());
    return got[0];
  }

  /**
   * Sends a cut batch; the caller holds a permit, which this returns when the batch finishes.
   *
   * @param onFinish runs once every message is delivered or reported
   * @param spooled the batch was read from the spool: at a halt it is left there for the next
   *     start instead of being reported as {@code SHUTDOWN}
   */
  void submit(Batch batch, long reservedBytes, Runnable onFinish, boolean spooled) {
    if (!send) {
      counters.notSent.addAndGet(batch.size());
      counters.releaseQueued(reservedBytes);
      onFinish.run();
      releaseSlot();
      if (debug) {
        LOG.info("send(false): processed a batch of {} message(s), {} bytes, not sent", batch.size(),
            batch.sizeInBytes());
      }
      return;
    }
    hand(new Delivery(batch, reservedBytes, onFinish, spooled, null, true));
  }

  /**
   * Sends one message's batch right away for sync mode (not through the ring).
   *
   * @param holdsPermit the caller acquired a request slot, returned when the batch finishes
   */
  CompletableFuture<Void> submitSync(Batch batch, long reservedBytes, boolean holdsPermit) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!send) {
      counters.notSent.addAndGet(batch.size());
      counters.releaseQueued(reservedBytes);
      if (holdsPermit) {
        releaseSlot();
      }
      done.complete(null);
      return done;
    }
    hand(new Delivery(batch, reservedBytes, () -> { }, false, done, holdsPermit));
    return done;
  }

  /** Registers a delivery, then queues its first attempt; a halt seen on the way ends it. */
  private void hand(Delivery d) {
    active.add(d);
    try {
      run(d, () -> attempt(d));
    } catch (RuntimeException | Error e) {
      // Not scheduled (only a rejection is handled by running inline): the caller still owns the
      // batch and reports it, so it must not also be settled by a later halt.
      active.remove(d);
      throw e;
    }
  }

  /** Runs a step of {@code d} on the scheduler, under its lock; inline once the scheduler stopped. */
  private void run(Delivery d, Runnable step) {
    Runnable locked = () -> {
      d.lock.lock();
      try {
        step.run();
      } catch (Throwable t) {
        LOG.error("Beacon's dispatcher hit an unexpected error; the batch is reported", t);
        failAll(d, FailureReason.INTERNAL_ERROR, "unexpected error: " + t);
      } finally {
        d.lock.unlock();
      }
    };
    try {
      scheduler.execute(locked);
    } catch (RejectedExecutionException e) {
      locked.run(); // the scheduler stopped: halted is set, so the step ends the delivery
    }
  }

  private void attempt(Delivery d) {
    if (d.done) {
      return;
    }
    if (halted) {
      abandon(d);
      return;
    }
    Part p = d.parts.peekFirst();
    if (p == null) {
      finish(d);
      return;
    }
    d.retryAtNanos = 0;
    counters.requests.incrementAndGet();
    if (p.attempts > 0) {
      counters.retries.incrementAndGet();
    }
    CompletableFuture<SendResult> f;
    try {
      f = transport.send(p.batch.withRetryCount(p.attempts));
      if (f == null) {
        f = CompletableFuture.failedFuture(new IllegalStateException(
            transport.getClass().getName() + ".send returned null"));
      }
    } catch (Throwable t) {
      f = CompletableFuture.failedFuture(t);
    }
    p.attempts++;
    p.startNanos = System.nanoTime();
    CompletableFuture<SendResult> attempt = f;
    d.inflight = attempt;
    ScheduledFuture<?> timeout;
    try {
      timeout = scheduler.schedule(
          () -> attempt.completeExceptionally(new TimeoutException("attempt timed out")),
          attemptTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      timeout = null; // halting: the delivery is settled by haltAll or by its next step
    }
    ScheduledFuture<?> t = timeout;
    attempt.whenComplete((r, e) -> run(d, () -> {
      if (t != null) {
        t.cancel(false);
      }
      onResult(d, p, r, e);
    }));
  }

  private void onResult(Delivery d, Part p, SendResult r, Throwable t) {
    if (d.done || d.parts.peekFirst() != p) {
      return;
    }
    d.inflight = null;
    if (halted) {
      // Settle by what the transport said when it says delivered; anything else is not retried now.
      if (t == null && r != null && r.outcome() == SendResult.Outcome.DELIVERED) {
        handle(d, p, r);
      } else {
        abandon(d);
      }
      return;
    }
    if (t != null || r == null) {
      Throwable cause = unwrap(t);
      String detail = cause instanceof TimeoutException ? "no answer within " + Duration.ofNanos(attemptTimeoutNanos)
          : cause == null ? "transport completed with no result" : cause.toString();
      r = SendResult.retryable(0, null, detail, cause);
    }
    observe(p, r);
    handle(d, p, r);
  }

  private void observe(Part p, SendResult r) {
    if (observer == null) {
      return;
    }
    try {
      observer.onAttempt(p.batch.size(), p.batch.sizeInBytes(), p.attempts - 1, r.outcome(), r.status(),
          System.nanoTime() - p.startNanos);
    } catch (Throwable e) {
      counters.callbackErrors.incrementAndGet();
      retryLog.warn("Beacon's delivery observer threw {}", e.toString());
    }
  }

  private void onDelivered(Batch batch) {
    try {
      delivered.onDelivered(batch.messages());
    } catch (Throwable e) {
      counters.callbackErrors.incrementAndGet();
      retryLog.warn("Beacon's delivery callback threw {}", e.toString());
    }
  }

  private void handle(Delivery d, Part p, SendResult r) {
    int n = p.batch.size();
    switch (r.outcome()) {
      case DELIVERED:
        d.parts.pollFirst();
        counters.delivered.addAndGet(n);
        counters.batches.incrementAndGet();
        if (debug) {
          LOG.info("delivered a batch of {} message(s), {} bytes, after {} attempt(s)", n,
              p.batch.sizeInBytes(), p.attempts);
        }
        if (delivered != null) {
          onDelivered(p.batch);
        }
        attempt(d);
        break;
      case TOO_LARGE:
        if (n > 1) {
          d.parts.pollFirst();
          List<Batch> halves = p.batch.split();
          for (int i = halves.size() - 1; i >= 0; i--) {
            d.parts.addFirst(new Part(halves.get(i)));
          }
          if (debug) {
            LOG.info("batch of {} message(s) too large (HTTP {}): splitting in halves", n, r.status());
          }
          attempt(d);
        } else {
          fail(d, p, FailureReason.TOO_LARGE, r.status(), r.detail(), r.cause().orElse(null));
        }
        break;
      case PERMANENT:
        fail(d, p, r.status() == 401 || r.status() == 403 ? FailureReason.UNAUTHORIZED : FailureReason.REJECTED,
            r.status(), r.detail(), r.cause().orElse(null));
        break;
      case RETRYABLE:
      default:
        retry(d, p, r);
        break;
    }
  }

  /** Applies the retry policy ({@link RetryPolicy.Schedule}, shared with the Kafka relay). */
  private void retry(Delivery d, Part p, SendResult r) {
    if (p.schedule == null) {
      p.schedule = policy.start(d.startNanos); // the total deadline counts from the delivery's start
    }
    switch (p.schedule.onRetryableFailure(r.retryAfter().orElse(null))) {
      case RETRIES_EXHAUSTED:
        fail(d, p, FailureReason.RETRIES_EXHAUSTED, r.status(),
            "gave up after " + p.attempts + " attempt(s); last: " + describe(r), r.cause().orElse(null));
        return;
      case DEADLINE_EXCEEDED:
        fail(d, p, FailureReason.DEADLINE_EXCEEDED, r.status(),
            "retry deadline of " + policy.totalDeadline() + " passed; last: " + describe(r), r.cause().orElse(null));
        return;
      case RETRY:
      default:
        break;
    }
    long delay = p.schedule.delayNanos();
    if (debug) {
      LOG.info("retrying a batch of {} message(s) in {} ms after {}", p.batch.size(), delay / 1_000_000, describe(r));
    } else {
      retryLog.warn("Beacon will retry a batch of {} message(s) in {} ms after {}", p.batch.size(),
          delay / 1_000_000, describe(r));
    }
    d.retryAtNanos = System.nanoTime() + delay;
    try {
      d.timer = scheduler.schedule(() -> run(d, () -> attempt(d)), delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      abandon(d);
      return;
    }
    settled.signal(); // close may be waiting for only spooled backoffs to be left
  }

  private static String describe(SendResult r) {
    return (r.status() != 0 ? "HTTP " + r.status() : "network error")
        + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
  }

  private void fail(Delivery d, Part p, FailureReason reason, int status, String detail, Throwable cause) {
    d.parts.remove(p);
    var error = reporter.report(reason, status, p.batch.messages(), detail, cause);
    if (d.sync != null) {
      d.sync.completeExceptionally(error);
    }
    attempt(d);
  }

  private void finish(Delivery d) {
    if (d.done) {
      return;
    }
    d.done = true;
    counters.releaseQueued(d.reservedBytes);
    try {
      d.onFinish.run();
    } finally {
      if (d.holdsPermit) {
        releaseSlot();
      }
      if (d.sync != null) {
        d.sync.complete(null);
      }
      deactivate(d);
    }
  }

  private void deactivate(Delivery d) {
    active.remove(d); // an atomic update, then the signal: see Signal
    settled.signal();
  }

  /**
   * Ends a delivery at a halt: a spooled one stays in the spool, unacknowledged, for the next
   * start; any other is reported as {@code SHUTDOWN}. Caller holds the delivery's lock.
   */
  private void abandon(Delivery d) {
    if (d.done) {
      return;
    }
    if (d.timer != null) {
      d.timer.cancel(false);
    }
    CompletableFuture<SendResult> inflight = d.inflight;
    if (inflight != null) {
      d.inflight = null;
      // cancel() and the transport's complete() race on one atomic step: if the attempt already
      // succeeded, count it delivered rather than report a delivered batch as SHUTDOWN.
      if (!inflight.cancel(true) && delivered(inflight)) {
        handle(d, d.parts.peekFirst(), inflight.join()); // DELIVERED, then the next step abandons
        return;
      }
    }
    if (d.spooled) {
      d.done = true;
      if (d.holdsPermit) {
        releaseSlot();
      }
      deactivate(d);
    } else {
      failAll(d, FailureReason.SHUTDOWN, "not delivered before the shutdown timeout");
    }
  }

  /** Fails every part left and finishes. Caller holds the delivery's lock. */
  private void failAll(Delivery d, FailureReason reason, String detail) {
    if (d.done) {
      return;
    }
    if (d.timer != null) {
      d.timer.cancel(false);
    }
    if (d.inflight != null) {
      d.inflight.cancel(true);
    }
    Part p;
    while ((p = d.parts.pollFirst()) != null) {
      var error = reporter.report(reason, 0, p.batch.messages(), detail, null);
      if (d.sync != null) {
        d.sync.completeExceptionally(error);
      }
    }
    finish(d);
  }

  /**
   * Waits until every delivery handed over so far has finished.
   *
   * @return false when the deadline passed first (or on interrupt, which stays set)
   */
  boolean awaitIdle(long deadlineNanos) {
    return settled.await(active::isEmpty, deadlineNanos);
  }

  /**
   * Waits until {@code done} holds or the deadline passes, woken whenever a delivery ends or
   * starts a backoff (for a condition on {@link #onlySpooledBackoffsLeft} and on what its caller
   * signals through {@link #signalSettled()}).
   *
   * @return true when {@code done} held; false at the deadline or on interrupt (which stays set)
   */
  boolean awaitSettled(BooleanSupplier done, long deadlineNanos) {
    return settled.await(done, deadlineNanos);
  }

  /** Wakes {@link #awaitSettled} waiters after a change their condition reads. */
  void signalSettled() {
    settled.signal();
  }

  /**
   * Tells whether everything still being delivered is a spooled batch that waits for a retry at
   * least {@code minWaitNanos} away, with no attempt in flight: then the messages are safe on disk,
   * and waiting for the API to come back would only hold {@code close()}.
   */
  boolean onlySpooledBackoffsLeft(long minWaitNanos) {
    long now = System.nanoTime();
    int waiting = 0;
    for (Delivery d : active) {
      if (d.done) {
        continue;
      }
      long at = d.retryAtNanos;
      if (!d.spooled || d.inflight != null || at == 0 || at - now < minWaitNanos) {
        return false;
      }
      waiting++;
    }
    // Nothing handed over at all means the spool reader is between batches, not that the API fails.
    return waiting > 0;
  }

  /**
   * Stops every delivery: from now on each step of a delivery ends it, and this settles every
   * delivery whose lock it gets before the deadline (memory batches as {@code SHUTDOWN}, spooled
   * ones back to the spool). A delivery whose lock is held past the deadline — its thread is in a
   * slow error callback — is settled by that thread at its next step, which sees the halt.
   *
   * @return the number of deliveries left to their own thread
   */
  int haltAll(long deadlineNanos) {
    halted = true;
    int left = 0;
    for (Delivery d : new ArrayList<>(active)) {
      boolean locked = false;
      try {
        locked = d.lock.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!locked) {
        left++;
        continue;
      }
      try {
        abandon(d);
      } finally {
        d.lock.unlock();
      }
    }
    if (left > 0) {
      LOG.warn("Beacon's close: {} batch(es) are held by a slow error callback; they are reported"
          + " when it returns", left);
    }
    return left;
  }

  private static boolean delivered(CompletableFuture<SendResult> f) {
    if (!f.isDone() || f.isCompletedExceptionally()) {
      return false;
    }
    SendResult r = f.join();
    return r != null && r.outcome() == SendResult.Outcome.DELIVERED;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** One batch handed to the dispatcher, possibly split into parts after a 413. */
  private static final class Delivery {
    final ReentrantLock lock = new ReentrantLock();
    final long reservedBytes;
    final Runnable onFinish;
    final boolean spooled;
    final boolean holdsPermit;
    final CompletableFuture<Void> sync;
    final ArrayDeque<Part> parts = new ArrayDeque<>(2);
    final long startNanos = System.nanoTime();
    /** Read without the lock by {@link #onlySpooledBackoffsLeft}; written under it. */
    volatile CompletableFuture<SendResult> inflight;
    volatile long retryAtNanos;
    ScheduledFuture<?> timer;
    volatile boolean done;

    Delivery(Batch batch, long reservedBytes, Runnable onFinish, boolean spooled, CompletableFuture<Void> sync,
        boolean holdsPermit) {
      this.reservedBytes = reservedBytes;
      this.onFinish = onFinish;
      this.spooled = spooled;
      this.sync = sync;
      this.holdsPermit = holdsPermit;
      parts.add(new Part(batch));
    }
  }

  private static final class Part {
    final Batch batch;
    int attempts;
    /** Made at the part's first retryable failure. */
    RetryPolicy.Schedule schedule;
    long startNanos;

    Part(Batch batch) {
      this.batch = batch;
    }
  }
}
