package dev.beacon.relay.kafka;

import dev.beacon.RetryPolicy;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery thread: sends the cut batches one at a time, in the order they were cut, through
 * the transport, and applies the core's {@link RetryPolicy} exactly as the client's engine does:
 * backoff with jitter, {@code Retry-After} honoured (capped, not counted as a retry), a total
 * deadline, halves for a batch too large, and final failures to the dead-letter topic. One batch
 * in flight keeps each user's events in order, since a user's records share a partition and a
 * partition's records are cut in offset order.
 */
final class Delivery implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final BlockingQueue<PendingBatch> queue;
  private final Transport transport;
  private final RetryPolicy policy;
  private final DeadLetters deadLetters;
  private final Counters counters;
  private final BiConsumer<String, Throwable> fatal;
  private final CountDownLatch halt = new CountDownLatch(1);
  private final Deque<PendingBatch> work = new ArrayDeque<>();
  private long lastRetryLog = System.nanoTime() - LOG_EVERY_NANOS;
  /** The entries of the attempt in flight, or null; guarded by {@code this}. */
  private List<Entry> sending;

  Delivery(BlockingQueue<PendingBatch> queue, Transport transport, RetryPolicy policy, DeadLetters deadLetters,
      Counters counters, BiConsumer<String, Throwable> fatal) {
    this.fatal = fatal;
    this.queue = queue;
    this.transport = transport;
    this.policy = policy;
    this.deadLetters = deadLetters;
    this.counters = counters;
  }

  /** Stops after the current attempt; whatever is not settled stays uncommitted. */
  void halt() {
    halt.countDown();
  }

  private boolean halted() {
    return halt.getCount() == 0;
  }

  @Override
  public void run() {
    try {
      while (!halted()) {
        PendingBatch b = work.pollFirst();
        if (b == null) {
          b = queue.poll(100, TimeUnit.MILLISECONDS);
        }
        if (b != null) {
          deliver(b);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      // Never let an exception end the thread silently, nor the relay run on without it: the relay
      // stops, and the records not delivered stay uncommitted and are read again after a restart.
      fatal.accept("the delivery thread stopped on " + t + "; records not delivered are not committed", t);
    }
  }

  private void deliver(PendingBatch b) throws InterruptedException {
    while (!halted()) {
      List<Entry> live = startAttempt(b);
      if (live.isEmpty()) {
        return;
      }
      SendResult r;
      try {
        if (b.schedule == null) {
          b.schedule = policy.start(System.nanoTime()); // the total deadline counts from here
        }
        Batch batch = PendingBatch.toBatch(live, b.attempts);
        counters.requests.incrementAndGet();
        if (b.attempts > 0) {
          counters.retries.incrementAndGet();
        }
        b.attempts++;
        r = attempt(batch);
        handled(b, live, r);
      } finally {
        sending(null);
      }
      if (r.outcome() != SendResult.Outcome.RETRYABLE || !waitToRetry(b, live, r)) {
        return;
      }
    }
  }

  /**
   * Takes the batch's records still pending and marks them in flight, in one step under the lock
   * that {@link #revoke} holds while it cancels a revoked partition's records: an attempt takes
   * either all of a partition's records that a rebalance cancels or none of them, and a rebalance
   * that comes after it sees it in flight and waits for it. (Taking the records and marking them in
   * two steps let an attempt start with records of a partition already handed to another relay.)
   */
  private synchronized List<Entry> startAttempt(PendingBatch b) {
    List<Entry> live = b.live();
    sending = live.isEmpty() ? null : live;
    return live;
  }

  private synchronized void sending(List<Entry> entries) {
    sending = entries;
    if (entries == null) {
      notifyAll();
    }
  }

  /**
   * Cancels the records of revoked partitions, then waits until the attempt in flight, if any,
   * holds none of them: a rebalance hands partitions over only once their records are delivered
   * or known not to be.
   *
   * <p>{@code cancel} runs under the lock {@link #startAttempt} takes. Cancelled outside it, an
   * attempt starting halfway through the cancelling would skip the records already cancelled and
   * send later records of the same partition: record k+1 delivered while k goes back to the group,
   * whose next owner delivers k after it (a first arrival out of order).
   *
   * @param partitions the revoked partitions
   * @param cancel cancels their records not settled; it must not block
   * @param timeout how long to wait for the attempt in flight
   * @return false when the wait timed out
   */
  synchronized boolean revoke(Collection<TopicPartition> partitions, Runnable cancel, Duration timeout)
      throws InterruptedException {
    cancel.run();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (sending != null && touches(sending, partitions)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /**
   * Cancels records under the lock {@link #startAttempt} takes, without waiting: an attempt takes
   * all of them or none.
   *
   * @param cancel cancels records; it must not block
   */
  synchronized void cancel(Runnable cancel) {
    cancel.run();
  }

  private static boolean touches(List<Entry> entries,
      Collection<TopicPartition> partitions) {
    for (Entry e : entries) {
      if (partitions.contains(e.partition)) {
        return true;
      }
    }
    return false;
  }

  /** Settles, splits or dead-letters after an attempt; a retryable result is left to {@link #waitToRetry}. */
  private void handled(PendingBatch b, List<Entry> live, SendResult r) {
    switch (r.outcome()) {
      case DELIVERED:
        for (Entry e : live) {
          e.settle();
        }
        counters.delivered.addAndGet(live.size());
        counters.batches.incrementAndGet();
        return;
      case TOO_LARGE:
        if (live.size() > 1) {
          int mid = live.size() / 2;
          work.addFirst(new PendingBatch(List.copyOf(live.subList(mid, live.size()))));
          work.addFirst(new PendingBatch(List.copyOf(live.subList(0, mid))));
        } else {
          deadLetter(live, DeadLetterReason.TOO_LARGE, r);
        }
        return;
      case PERMANENT:
        deadLetter(live, r.status() == 401 || r.status() == 403 ? DeadLetterReason.UNAUTHORIZED
            : DeadLetterReason.REJECTED, r);
        return;
      case RETRYABLE:
      default:
        return;
    }
  }

  /**
   * Applies the retry policy to a retryable result through the core's one implementation,
   * {@link RetryPolicy.Schedule} (the client's engine uses it too): dead-letters the batch when
   * the retries or the deadline are spent, else waits the backoff (or the server's
   * {@code Retry-After}); a halt ends the wait at once.
   *
   * @return true to try again, false when the batch is done or the relay halts
   */
  private boolean waitToRetry(PendingBatch b, List<Entry> live, SendResult r) throws InterruptedException {
    switch (b.schedule.onRetryableFailure(r.retryAfter().orElse(null))) {
      case RETRIES_EXHAUSTED:
        deadLetter(live, DeadLetterReason.RETRIES_EXHAUSTED, r);
        return false;
      case DEADLINE_EXCEEDED:
        deadLetter(live, DeadLetterReason.DEADLINE_EXCEEDED, r);
        return false;
      case RETRY:
      default:
        logRetry(live.size(), b.schedule.delayNanos(), r);
        return b.schedule.awaitDelay(halt);
    }
  }

  private SendResult attempt(Batch batch) throws InterruptedException {
    CompletableFuture<SendResult> f;
    try {
      f = transport.send(batch);
    } catch (RuntimeException e) {
      return SendResult.retryable(0, null, "transport threw: " + e, e);
    }
    Duration timeout = transport.attemptTimeout();
    try {
      SendResult r = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return r != null ? r : SendResult.retryable(0, null, "transport completed with no result", null);
    } catch (ExecutionException e) {
      return SendResult.retryable(0, null, String.valueOf(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      f.cancel(true);
      return SendResult.retryable(0, null, "no answer within " + timeout, e);
    }
  }

  private void deadLetter(List<Entry> live, DeadLetterReason reason, SendResult r) {
    String detail = describe(r);
    LOG.warn("Beacon relay: {} message(s) finally not delivered ({}: {}); writing them to the dead-letter topic {}",
        live.size(), reason, detail, deadLetters.topic());
    for (Entry e : live) {
      deadLetters.write(e, reason, r.status(), detail);
    }
  }

  private void logRetry(int n, long delayNanos, SendResult r) {
    long now = System.nanoTime();
    if (now - lastRetryLog >= LOG_EVERY_NANOS) {
      lastRetryLog = now;
      LOG.warn("Beacon relay will retry a batch of {} message(s) in {} ms after {}", n, delayNanos / 1_000_000,
          describe(r));
    }
  }

  private static String describe(SendResult r) {
    return (r.status() != 0 ? "HTTP " + r.status() : "network error") + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
  }
}
