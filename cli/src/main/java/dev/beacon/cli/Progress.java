package dev.beacon.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on standard error: a live bar (me.tongfei:progressbar) when stderr is a terminal,
 * otherwise one plain line every few seconds, so logs stay readable.
 */
abstract class Progress implements AutoCloseable {
  abstract void stepTo(long bytes);

  abstract void message(String text);

  abstract void println(String line);

  @Override
  public abstract void close();

  /** No progress output; error lines still go to {@code err}. */
  static Progress none(PrintWriter err) {
    return new Plain(err, "", -1, () -> "", Long.MAX_VALUE) {
      @Override
      void message(String text) {}

      @Override
      public void close() {}
    };
  }

  static Progress start(PrintWriter err, String task, long totalBytes, Supplier<String> status) {
    if (System.console() != null && !"dumb".equals(System.getenv("TERM"))) {
      return new Bar(task, totalBytes, status);
    }
    return new Plain(err, task, totalBytes, status, Duration.ofSeconds(5).toNanos());
  }

  /** The terminal bar; its extra message is refreshed from the engine's counters. */
  private static final class Bar extends Progress {
    private final ProgressBar bar;
    private final Supplier<String> status;
    private long lastRefresh;

    Bar(String task, long totalBytes, Supplier<String> status) {
      this.status = status;
      this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalBytes)
          .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1_000_000).showSpeed()
          .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }

    @Override
    synchronized void stepTo(long bytes) {
      bar.stepTo(bytes);
      long now = System.nanoTime();
      if (now - lastRefresh > 200_000_000L) {
        lastRefresh = now;
        bar.setExtraMessage(" " + status.get());
      }
    }

    @Override
    synchronized void message(String text) {
      bar.setExtraMessage(" " + text);
    }

    @Override
    synchronized void println(String line) {
      System.err.print("\r\033[K");
      System.err.println(line);
    }

    @Override
    public synchronized void close() {
      bar.setExtraMessage(" " + status.get());
      bar.close();
    }
  }

  /** Periodic plain lines for pipes and CI logs. */
  private static class Plain extends Progress {
    private final PrintWriter err;
    private final String task;
    private final long total;
    private final Supplier<String> status;
    private final long everyNanos;
    private final long start = System.nanoTime();
    private long next;
    private long bytes;

    Plain(PrintWriter err, String task, long total, Supplier<String> status, long everyNanos) {
      this.err = err;
      this.task = task;
      this.total = total;
      this.status = status;
      this.everyNanos = everyNanos;
      this.next = everyNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + everyNanos;
    }

    @Override
    void stepTo(long b) {
      bytes = b;
      long now = System.nanoTime();
      if (next != Long.MAX_VALUE && now - next >= 0) {
        next = now + everyNanos;
        double secs = (now - start) / 1e9;
        String pct = total > 0 ? String.format(" %.0f%%", 100.0 * bytes / total) : "";
        err.printf("%s:%s %.1f MB read, %s, %.0f s%n", task, pct, bytes / 1e6, status.get(), secs);
      }
    }

    @Override
    void message(String text) {
      err.println(task + ": " + text);
    }

    @Override
    void println(String line) {
      err.println(line);
    }

    @Override
    public void close() {
      err.printf("%s: done, %s%n", task, status.get());
    }
  }
}
