package dev.beacon.internal;

import dev.beacon.FailureReason;
import dev.beacon.RetryPolicy;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends batches through the transport and owns what happens next: retry with backoff or after
 * {@code Retry-After}, split on 413, report final failures. Every delivery's state is touched
 * only on the single scheduler thread, so no locks are needed; the consumer talks to it through
 * the permit semaphore and {@link ScheduledExecutorService#execute}. Not API.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");
  private static final long MAX_RETRY_AFTER_NANOS = RetryPolicy.MAX_RETRY_AFTER.toNanos();

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
  /** Deliveries not finished yet; scheduler thread only. */
  private final Set<Delivery> active = new HashSet<>();

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
    this.attemptTimeoutNanos = t.toNanos();
  }

  boolean tryAcquire() {
    return permits.tryAcquire();
  }

  /** Waits for a request slot until the deadline; false when it passed first. */
  boolean acquireUntil(long deadlineNanos) {
    try {
      return permits.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits for a request slot; false when {@code halted} turned true first. */
  boolean acquire(BooleanSupplier halted) throws InterruptedException {
    while (!halted.getAsBoolean()) {
      if (permits.tryAcquire(5, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sends a cut batch; the caller holds a permit, which this returns when the batch finishes.
   *
   * @param onFinish runs on the scheduler thread once every message is delivered or reported
   * @param spooled the batch was read from the spool: at a halt it is left there for the next
   *     start instead of being reported as {@code SHUTDOWN}
   */
  void submit(Batch batch, long reservedBytes, Runnable onFinish, boolean spooled) {
    if (!send) {
      counters.notSent.addAndGet(batch.size());
      counters.queuedBytes.addAndGet(-reservedBytes);
      onFinish.run();
      permits.release();
      if (debug) {
        LOG.info("send(false): processed a batch of {} message(s), {} bytes, not sent", batch.size(),
            batch.sizeInBytes());
      }
      return;
    }
    Delivery d = new Delivery(batch, reservedBytes, onFinish, spooled, null);
    try {
      scheduler.execute(() -> start(d));
    } catch (RejectedExecutionException e) {
      if (spooled) {
        release(d);
      } else {
        failAll(d, FailureReason.SHUTDOWN, "client closed before the batch could be sent");
      }
    }
  }

  /**
   * Sends one message's batch right away for sync mode (not through the ring).
   *
   * @param holdsPermit the caller acquired a request slot, returned when the batch finishes
   */
  CompletableFuture<Void> submitSync(Batch batch, long reservedBytes, boolean holdsPermit) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable onFinish = holdsPermit ? permits::release : () -> { };
    if (!send) {
      counters.notSent.addAndGet(batch.size());
      counters.queuedBytes.addAndGet(-reservedBytes);
      onFinish.run();
      done.complete(null);
      return done;
    }
    Delivery d = new Delivery(batch, reservedBytes, onFinish, false, done);
    try {
      scheduler.execute(() -> start(d));
    } catch (RejectedExecutionException e) {
      failAll(d, FailureReason.SHUTDOWN, "client closed before the message could be sent");
    }
    return done;
  }

  private void start(Delivery d) {
    active.add(d);
    attempt(d);
  }

  private void attempt(Delivery d) {
    if (d.done) {
      return;
    }
    Part p = d.parts.peekFirst();
    if (p == null) {
      finish(d);
      return;
    }
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
    CompletableFuture<SendResult> attempt = f;
    d.inflight = attempt;
    ScheduledFuture<?> timeout = scheduler.schedule(
        () -> attempt.completeExceptionally(new TimeoutException("attempt timed out")),
        attemptTimeoutNanos, TimeUnit.NANOSECONDS);
    attempt.whenCompleteAsync((r, t) -> {
      timeout.cancel(false);
      onResult(d, p, r, t);
    }, scheduler);
  }

  private void onResult(Delivery d, Part p, SendResult r, Throwable t) {
    if (d.done || d.parts.peekFirst() != p) {
      return;
    }
    d.inflight = null;
    try {
      if (t != null || r == null) {
        Throwable cause = unwrap(t);
        String detail = cause instanceof TimeoutException ? "no answer within " + Duration.ofNanos(attemptTimeoutNanos)
            : cause == null ? "transport completed with no result" : cause.toString();
        r = SendResult.retryable(0, null, detail, cause);
      }
      handle(d, p, r);
    } catch (Throwable e) {
      fail(d, p, FailureReason.INTERNAL_ERROR, 0, "unexpected error handling a send result: " + e, e);
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

  private void retry(Delivery d, Part p, SendResult r) {
    long delay;
    if (r.retryAfter().isPresent()) {
      // Segment's rule: honour Retry-After (capped) and do not count it against the retry budget.
      delay = Math.max(0, Math.min(MAX_RETRY_AFTER_NANOS, r.retryAfter().get().toNanos()));
    } else {
      if (p.retries >= policy.maxRetries()) {
        fail(d, p, FailureReason.RETRIES_EXHAUSTED, r.status(),
            "gave up after " + p.attempts + " attempt(s); last: " + describe(r), r.cause().orElse(null));
        return;
      }
      delay = policy.backoff(p.retries).toNanos();
      p.retries++;
    }
    long elapsed = System.nanoTime() - d.startNanos;
    if (elapsed + delay > policy.totalDeadline().toNanos()) {
      fail(d, p, FailureReason.DEADLINE_EXCEEDED, r.status(),
          "retry deadline of " + policy.totalDeadline() + " passed; last: " + describe(r), r.cause().orElse(null));
      return;
    }
    if (debug) {
      LOG.info("retrying a batch of {} message(s) in {} ms after {}", p.batch.size(), delay / 1_000_000, describe(r));
    } else {
      retryLog.warn("Beacon will retry a batch of {} message(s) in {} ms after {}", p.batch.size(),
          delay / 1_000_000, describe(r));
    }
    try {
      d.timer = scheduler.schedule(() -> attempt(d), delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      failAll(d, FailureReason.SHUTDOWN, "client closed while waiting to retry");
    }
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
    active.remove(d);
    counters.queuedBytes.addAndGet(-d.reservedBytes);
    try {
      d.onFinish.run();
    } finally {
      if (d.sync == null) {
        permits.release();
      } else {
        d.sync.complete(null);
      }
    }
  }

  /** Gives up on a spooled delivery at a halt: it stays in the spool, unacknowledged. */
  private void release(Delivery d) {
    if (d.done) {
      return;
    }
    d.done = true;
    active.remove(d);
    if (d.timer != null) {
      d.timer.cancel(false);
    }
    if (d.inflight != null) {
      d.inflight.cancel(true);
    }
    if (d.sync == null) {
      permits.release();
    }
  }

  /** Fails every part left and finishes; safe from any thread once the scheduler is stopped. */
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
   * Stops every delivery still running and reports its messages as {@code SHUTDOWN}. Runs the
   * work on the scheduler thread when it can, so no delivery is touched concurrently.
   */
  void haltAll(long timeoutNanos) {
    Runnable halt = () -> {
      for (Delivery d : new ArrayList<>(active)) {
        if (d.spooled) {
          release(d);
        } else {
          failAll(d, FailureReason.SHUTDOWN, "not delivered before the shutdown timeout");
        }
      }
    };
    try {
      scheduler.submit(halt).get(Math.max(1, timeoutNanos), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException | CancellationException e) {
      LOG.warn("Beacon could not stop its deliveries in time: {}", e.toString());
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** One batch handed to the dispatcher, possibly split into parts after a 413. */
  private static final class Delivery {
    final long reservedBytes;
    final Runnable onFinish;
    final boolean spooled;
    final CompletableFuture<Void> sync;
    final ArrayDeque<Part> parts = new ArrayDeque<>(2);
    final long startNanos = System.nanoTime();
    CompletableFuture<SendResult> inflight;
    ScheduledFuture<?> timer;
    boolean done;

    Delivery(Batch batch, long reservedBytes, Runnable onFinish, boolean spooled, CompletableFuture<Void> sync) {
      this.reservedBytes = reservedBytes;
      this.onFinish = onFinish;
      this.spooled = spooled;
      this.sync = sync;
      parts.add(new Part(batch));
    }
  }

  private static final class Part {
    final Batch batch;
    int attempts;
    int retries;

    Part(Batch batch) {
      this.batch = batch;
    }
  }
}
