package dev.beacon.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /**
   * Starts the display.
   *
   * @param status the counters for plain lines
   * @param shortStatus the counters for the bar, which shares an 80-column line with the bar itself,
   *     the MB read, elapsed time, ETA and speed
   */
  static Progress start(PrintWriter err, String task, long totalBytes, Supplier<String> status,
      Supplier<String> shortStatus) {
    if (stderrIsTerminal() && !"dumb".equals(System.getenv("TERM"))) {
      return new Bar(task, totalBytes, shortStatus);
    }
    return new Plain(err, task, totalBytes, status, Duration.ofSeconds(5).toNanos());
  }

  /**
   * Whether standard error is a terminal. {@link System#console()} answers for stdin and stdout
   * (so {@code beacon import f 2> log} drew the bar into the log), and from JDK 22 it is non-null
   * even when redirected; on Linux, fd 2's link says where stderr really goes.
   */
  static boolean stderrIsTerminal() {
    Path fd2 = Path.of("/proc/self/fd/2");
    if (Files.isSymbolicLink(fd2)) {
      try {
        String target = Files.readSymbolicLink(fd2).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      } catch (IOException | UnsupportedOperationException e) {
        // fall back below
      }
    }
    return System.console() != null;
  }

  /** 1234 as "1234", 123456 as "123k", 1234567 as "1.2M": counters that fit beside a bar. */
  static String compact(long n) {
    if (n < 10_000) {
      return Long.toString(n);
    }
    if (n < 1_000_000) {
      return (n / 1000) + "k";
    }
    return String.format(java.util.Locale.ROOT, "%.1fM", n / 1e6);
  }

  /** The terminal bar; its extra message is refreshed from the engine's counters. */
  private static final class Bar extends Progress {
    private final ProgressBar bar;
    private final Supplier<String> status;
    private long lastRefresh;

    Bar(String task, long totalBytes, Supplier<String> status) {
      this.status = status;
      this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalBytes)
          .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1_000_000)
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
