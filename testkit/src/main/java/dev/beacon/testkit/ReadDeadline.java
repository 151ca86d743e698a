package dev.beacon.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds how long a request may take to arrive at {@link CollectorServer}: its request line,
 * headers and body. The JDK server reads them on a worker thread with no timeout of its own (only
 * JVM-wide system properties), so four connections trickling a byte at a time held every worker
 * and {@code /health} hung for as long as they trickled (issue 26, item 2).
 *
 * <p>It wraps the server's executor: each exchange is timed from the moment a worker takes it
 * until the handler has read the body ({@link #bodyRead()}). An exchange still reading past the
 * deadline has its worker interrupted; the worker is blocked in a read of the connection's
 * {@code SocketChannel}, an interruptible channel, so the read fails, the channel closes, and the
 * worker is free. The handler's own work after the body (validation, a scripted delay) is never
 * interrupted. The interrupt and the end of the reading phase take the same lock, so an
 * interrupt can never land on a later exchange of the same worker.
 */
final class ReadDeadline implements Executor {
  private final Executor pool;
  private final long timeoutNanos;
  private final Map<Thread, Exchange> reading = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private final AtomicLong interrupted = new AtomicLong();

  ReadDeadline(Executor pool, Duration timeout, String threadName) {
    this.pool = pool;
    this.timeoutNanos = timeout.toNanos();
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, threadName);
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    // Checks four times per timeout (at most once per 10 ms, at least once per second), so an
    // exchange is cut between 1 and 1.25 timeouts after it started.
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), timeoutNanos / 4));
    timer.scheduleAtFixedRate(this::expire, period, period, TimeUnit.NANOSECONDS);
  }

  @Override
  public void execute(Runnable command) {
    pool.execute(() -> {
      Exchange e = new Exchange(Thread.currentThread(), System.nanoTime());
      reading.put(e.thread, e);
      try {
        command.run();
      } finally {
        e.end();
        reading.remove(e.thread, e);
        Thread.interrupted(); // an interrupt meant for this exchange must not reach the worker's next one
      }
    });
  }

  /** Called by the handler on its worker thread once the body is read: no deadline from then on. */
  void bodyRead() {
    Exchange e = reading.remove(Thread.currentThread());
    if (e != null) {
      e.end();
    }
  }

  /** How many exchanges were cut for taking longer than the deadline. */
  long interrupted() {
    return interrupted.get();
  }

  void close() {
    timer.shutdownNow();
  }

  private void expire() {
    long now = System.nanoTime();
    for (Exchange e : reading.values()) {
      if (now - e.startNanos > timeoutNanos && e.interrupt()) {
        interrupted.incrementAndGet();
      }
    }
  }

  private static final class Exchange {
    final Thread thread;
    final long startNanos;
    private boolean done;

    Exchange(Thread thread, long startNanos) {
      this.thread = thread;
      this.startNanos = startNanos;
    }

    synchronized void end() {
      done = true;
    }

    /** Interrupts the worker if it is still reading this exchange; once only. */
    synchronized boolean interrupt() {
      if (done) {
        return false;
      }
      done = true;
      thread.interrupt();
      return true;
    }
  }
}
