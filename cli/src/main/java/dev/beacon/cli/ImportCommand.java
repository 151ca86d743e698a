package dev.beacon.cli;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.FailureReason;
import dev.beacon.FlushResult;
import dev.beacon.Message;
import dev.beacon.MessageIds;
import dev.beacon.QueueFullPolicy;
import dev.beacon.Stats;
import dev.beacon.internal.MessageCodec;
import dev.beacon.internal.RawEntry;
import dev.beacon.internal.RawMessage;
import dev.beacon.internal.WireReader;
import dev.beacon.internal.WireRules;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code beacon import}: sends newline-delimited JSON files of Segment messages (the objects of a
 * {@code /v1/batch} body, one per line) through the engine.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Send newline-delimited JSON files of Segment messages, one message per line.",
        "Every line is validated with Beacon's rules; invalid lines are reported with file and line"
            + " number and skipped (or stop the import with --strict).",
        "Lines without a messageId get a stable one derived from the line's content, so importing"
            + " the same file twice does not create new events downstream.",
        "Lines without a timestamp are stamped with the time of the import, counted and warned about"
            + " (a backfill usually wants its own times): --require-timestamp makes them invalid instead."})
final class ImportCommand implements Callable<Integer> {
  private static final int MAX_REPORTED_ERRORS = 50;
  /**
   * Lines between checkpoints. A re-run after a crash reads again at most this many lines that
   * were already journaled (and sends them again, with the same messageIds).
   */
  static final int CHECKPOINT_EVERY = 10_000;

  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Mixin
  PlanOptions plan;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "NDJSON files, or - for standard input")
  List<String> files;

  @Option(names = "--dry-run", description = "validate every line, send nothing")
  boolean dryRun;

  @Option(names = "--strict", description = "stop at the first invalid line (exit code 3)")
  boolean strict;

  @Option(names = "--require-timestamp",
      description = "treat a line without a timestamp as invalid (default: stamp it with the import time, count"
          + " and warn)")
  boolean requireTimestamp;

  @Option(names = "--spool", paramLabel = "DIR",
      description = "journal accepted messages in DIR so that an interrupted import resumes without loss"
          + " when run again (needs the Chronicle spool module)")
  Path spool;

  @Option(names = "--flush-at", paramLabel = "N", defaultValue = "1000",
      description = "messages per batch request (default: ${DEFAULT-VALUE}, at most 2500)")
  int flushAt;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT10M",
      description = "how long to wait for delivery after the last line (ISO-8601, default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "show progress on standard error (a bar on a terminal, periodic lines otherwise)")
  boolean progress;

  private final Map<FailureReason, AtomicLong> failures = new ConcurrentHashMap<>();
  private final Map<FailureReason, String> firstErrors = new ConcurrentHashMap<>();
  private long read;
  private long invalid;
  private long accepted;
  private long refused;
  private long skippedByCheckpoint;
  private long withoutTimestamp;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    if (flushAt < 1 || flushAt > 2500) {
      throw new CliException(ExitCodes.USAGE, "--flush-at must be between 1 and 2500 but was " + flushAt);
    }
    if (timeout.isNegative()) {
      throw new CliException(ExitCodes.USAGE, "--timeout must be zero or positive but was " + timeout);
    }
    String key = dryRun ? "dry-run" : client.writeKey();
    Checkpoints checkpoints = spool != null && !dryRun ? new Checkpoints(spool.resolve("import-checkpoints")) : null;
    Analytics.Builder b = (dryRun ? client.dryRunBuilder() : client.builder(key))
        .flushAt(flushAt)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofDays(1)))
        .shutdownTimeout(timeout)
        .onError((e, msgs) -> {
          failures.computeIfAbsent(e.reason(), r -> new AtomicLong()).addAndGet(e.messageCount());
          firstErrors.putIfAbsent(e.reason(), describe(e));
        });
    if (spool != null && !dryRun) {
      b.spoolDirectory(spool.resolve("journal"));
    }
    plan.register(b, dryRun);
    Analytics analytics;
    try {
      analytics = b.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new CliException(ExitCodes.FATAL, e.getMessage(), e);
    }
    long totalBytes = totalBytes();
    AtomicLong bytesRead = new AtomicLong();
    Progress bar = progress ? Progress.start(err, "import", totalBytes, () -> statusLine(analytics),
        () -> shortStatus(analytics)) : Progress.none(err);
    FlushResult closed;
    try {
      for (String f : files) {
        if (!importFile(f, analytics, bytesRead, bar, err, checkpoints)) {
          break;
        }
      }
    } finally {
      if (!dryRun) {
        bar.message("delivering the last batches...");
      }
      closed = analytics.close(timeout);
      bar.close();
    }
    Stats s = analytics.stats();
    double secs = (System.nanoTime() - start) / 1e9;
    out.printf("read %d line(s): %d invalid, %d %s%s%s%n", read, invalid, accepted, dryRun ? "valid" : "accepted",
        withoutTimestamp > 0 ? ", " + withoutTimestamp + " without a timestamp" : "",
        skippedByCheckpoint > 0 ? ", " + skippedByCheckpoint + " skipped as already imported (resume)" : "");
    if (withoutTimestamp > 0) {
      err.println("beacon: warning: " + withoutTimestamp + " line(s) had no timestamp and "
          + (dryRun ? "would be" : "were") + " stamped with the time of the import; for a backfill, give every"
          + " line its timestamp (--require-timestamp rejects such lines)");
    }
    plan.printSummary(out);
    if (!dryRun) {
      if (s.recovered() > 0) {
        out.printf("recovered %d from the spool (journaled by an earlier run, not yet delivered)%n", s.recovered());
      }
      out.printf("delivered %d, failed %d%s, pending %d, refused %d%n", s.delivered(), s.failed(),
          failures.isEmpty() ? "" : " " + failureSummary(), s.pending(), refused);
      out.printf("requests %d (%d retries), batches %d%n", s.requests(), s.retries(), s.batches());
      out.printf("time %.1f s, %.0f lines/s, %.0f events/s delivered%n", secs, read / Math.max(secs, 1e-9),
          s.delivered() / Math.max(secs, 1e-9));
    } else {
      out.printf("time %.1f s, %.0f lines/s%n", secs, read / Math.max(secs, 1e-9));
    }
    if (!dryRun && (s.failed() > 0 || s.pending() > 0 || refused > 0 || !closed.complete())) {
      if (s.pending() > 0 && spool != null) {
        out.printf("%d message(s) remain in the spool %s: run the same command again to send them%n",
            s.pending(), spool);
      }
      reportFailures(err, s);
      return ExitCodes.NOT_DELIVERED;
    }
    return invalid > 0 || plan.dropped() > 0 ? ExitCodes.INVALID_INPUT : ExitCodes.OK;
  }

  /** One line per failure reason, with the first error's detail: what a user needs to act. */
  private void reportFailures(PrintWriter err, Stats s) {
    Map<FailureReason, Long> m = new EnumMap<>(FailureReason.class);
    failures.forEach((k, v) -> m.put(k, v.get()));
    m.forEach((reason, n) -> {
      String first = firstErrors.getOrDefault(reason, reason.toString());
      String hint = reason == FailureReason.SHUTDOWN
          ? " (still pending when --timeout " + timeout + " ran out; the warnings above say why)" : "";
      err.println("beacon: " + n + " message(s) not delivered: " + first + hint);
    });
    if (refused > 0) {
      err.println("beacon: " + refused + " message(s) refused by the client " + s.droppedByReason());
    }
    if (s.pending() > 0 && spool == null) {
      err.println("beacon: " + s.pending() + " message(s) still pending when --timeout " + timeout + " ran out");
    }
  }

  /** "REASON (HTTP n): detail", without the count the exception's message repeats per batch. */
  private static String describe(DeliveryException e) {
    String msg = String.valueOf(e.getMessage());
    String marker = "message(s) not delivered";
    int at = msg.indexOf(marker);
    String detail = at < 0 ? msg : msg.substring(at + marker.length()).replaceFirst("^: ", "");
    return e.reason() + (e.status() != 0 ? " (HTTP " + e.status() + ")" : "") + (detail.isEmpty() ? "" : ": " + detail);
  }

  private String failureSummary() {
    Map<FailureReason, Long> m = new EnumMap<>(FailureReason.class);
    failures.forEach((k, v) -> m.put(k, v.get()));
    return m.toString();
  }

  private String shortStatus(Analytics analytics) {
    if (dryRun) {
      return Progress.compact(accepted) + " valid, " + Progress.compact(invalid) + " invalid";
    }
    Stats s = analytics.stats();
    return Progress.compact(s.delivered()) + "/" + Progress.compact(s.accepted() + s.recovered()) + " delivered, "
        + Progress.compact(s.failed()) + " failed" + (invalid > 0 ? ", " + Progress.compact(invalid) + " invalid" : "");
  }

  private String statusLine(Analytics analytics) {
    Stats s = analytics.stats();
    return dryRun ? "valid " + accepted + " invalid " + invalid
        : "sent " + s.accepted() + " delivered " + s.delivered() + " failed " + s.failed() + " invalid " + invalid;
  }

  private long totalBytes() {
    long total = 0;
    for (String f : files) {
      if ("-".equals(f)) {
        return -1;
      }
      try {
        total += Files.size(Path.of(f));
      } catch (IOException e) {
        // reported when the file is opened
      }
    }
    return total;
  }

  /** Returns false when the import must stop (--strict). */
  private boolean importFile(String name, Analytics analytics, AtomicLong bytesRead, Progress bar,
      PrintWriter err, Checkpoints checkpoints) {
    String label = "-".equals(name) ? "<stdin>" : name;
    InputStream raw;
    Checkpoints.Entry checkpoint = null;
    try {
      if ("-".equals(name)) {
        raw = System.in;
      } else {
        Path path = Path.of(name);
        raw = Files.newInputStream(path);
        if (checkpoints != null) {
          try {
            checkpoint = checkpoints.entry(path);
          } catch (IOException e) {
            raw.close();
            throw new CliException(ExitCodes.FATAL, "cannot keep import checkpoints in " + checkpoints.directory()
                + ": " + e.getMessage(), e);
          }
        }
      }
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.FATAL, "cannot read " + label + ": no such file", e);
    } catch (IOException e) {
      throw new CliException(ExitCodes.FATAL, "cannot read " + label + ": " + e.getMessage(), e);
    }
    long resumeAfter = checkpoint == null ? 0 : checkpoint.linesDone();
    InputStream counting = new FilterInputStream(raw) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          bar.stepTo(bytesRead.incrementAndGet());
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          bar.stepTo(bytesRead.addAndGet(n));
        }
        return n;
      }
    };
    long lineNo = 0;
    long savedAt = resumeAfter;
    long skippedHere = 0;
    try (InputStream in = counting) {
      NdjsonLines lines = new NdjsonLines(in, WireRules.MAX_NDJSON_LINE_BYTES);
      NdjsonLines.Line next;
      // Without a plan, a complete line goes to the engine as its bytes: judged once on the token
      // stream, never decoded into a Message nor serialized again. A plan needs Messages.
      boolean rawEntry = !plan.active();
      while ((next = lines.next()) != null) {
        lineNo = next.number();
        RawMessage rawLine = rawEntry && lineNo > resumeAfter ? rawLine(next) : null;
        if (rawLine != null) {
          read++;
          if (dryRun || RawEntry.offer(analytics, rawLine)) {
            accepted++;
          } else {
            refused++;
            checkpoint = null; // a refused line was not journaled: never skip past it on a re-run
          }
          if (checkpoint != null && lineNo - savedAt >= CHECKPOINT_EVERY) {
            checkpoint = save(checkpoint, lineNo, analytics, label, bar);
            savedAt = lineNo;
          }
          continue;
        }
        String line = next.text();
        if (line != null && line.isBlank()) {
          continue;
        }
        if (lineNo <= resumeAfter) {
          skippedByCheckpoint++;
          skippedHere++;
          continue;
        }
        read++;
        Message m;
        try {
          if (line == null) {
            throw new IllegalArgumentException(next.problem());
          }
          Parsed parsed = parseLine(line);
          if (!parsed.hadTimestamp()) {
            if (requireTimestamp) {
              throw new IllegalArgumentException("no timestamp (--require-timestamp)");
            }
            withoutTimestamp++;
          }
          m = parsed.message();
        } catch (IllegalArgumentException e) {
          invalid++;
          if (invalid <= MAX_REPORTED_ERRORS) {
            // Input text is escaped: a line must not clear the terminal or forge a "file:line:" of its own.
            bar.println(WireRules.printable(label, 500) + ":" + lineNo + ": " + WireRules.printable(readable(e), 500));
          } else if (invalid == MAX_REPORTED_ERRORS + 1) {
            bar.println("(further invalid lines are counted, not shown)");
          }
          if (strict) {
            bar.println("stopping at the first invalid line (--strict)");
            return false;
          }
          continue;
        }
        if (dryRun || analytics.enqueue(m)) {
          accepted++;
        } else if (!plan.droppedLast()) { // a line the plan dropped is skipped on purpose, like an invalid one
          refused++;
          checkpoint = null; // a refused line was not journaled: never skip past it on a re-run
        }
        if (checkpoint != null && lineNo - savedAt >= CHECKPOINT_EVERY) {
          checkpoint = save(checkpoint, lineNo, analytics, label, bar);
          savedAt = lineNo;
        }
      }
      if (resumeAfter > lineNo && checkpoint != null) {
        // The checkpoint counts more lines than the file has: it is not this file's. Nothing of the
        // file was sent on this pass, so it is read again from the start (messageIds are stable).
        bar.println("beacon: the checkpoint of " + WireRules.printable(label, 500) + " says " + resumeAfter
            + " line(s) were imported but the file has " + lineNo + "; reading it again from the start");
        skippedByCheckpoint -= skippedHere;
        try {
          checkpoint.save(0);
        } catch (UncheckedIOException e) {
          throw new CliException(ExitCodes.FATAL, "cannot reset the checkpoint of " + WireRules.printable(label, 500)
              + ": " + e.getCause().getMessage(), e);
        }
        return importFile(name, analytics, bytesRead, bar, err, checkpoints);
      }
      if (checkpoint != null) {
        save(checkpoint, lineNo, analytics, label, bar);
      }
    } catch (IOException e) {
      throw new CliException(ExitCodes.FATAL, "cannot read " + label + " at line " + (lineNo + 1) + ": "
          + e.getMessage(), e);
    }
    return true;
  }

  /**
   * Records that every line up to {@code lineNo} is journaled, and returns the entry to keep using,
   * or null to stop checkpointing this file. A spool that fell back to memory (disk full,
   * unwritable) journals nothing, so from then on no line may be skipped on a re-run.
   */
  private static Checkpoints.Entry save(Checkpoints.Entry checkpoint, long lineNo, Analytics analytics, String label,
      Progress bar) {
    if (analytics.stats().spoolDegraded()) {
      bar.println("beacon: the spool is not writable; " + label + " will be read again from line "
          + (checkpoint.linesDone() + 1) + " if this import is run again");
      return null;
    }
    try {
      checkpoint.save(lineNo);
      return checkpoint;
    } catch (UncheckedIOException e) {
      bar.println("beacon: cannot save the checkpoint of " + label + " (" + e.getCause().getMessage()
          + "); a re-run reads it again from line " + (checkpoint.linesDone() + 1));
      return null;
    }
  }

  /**
   * A line with its own timestamp that the streaming reader settles (valid, and complete or
   * completed as the codec would), as the bytes to enqueue; null for everything else (a blank
   * line, a line to refuse, one without a timestamp, which import counts and may refuse, a rare
   * shape), which then takes {@link #parseLine}'s path. A missing messageId becomes the same
   * stable id {@link #parseLine} gives.
   */
  static RawMessage rawLine(NdjsonLines.Line line) {
    byte[] b = line.bytes();
    if (b == null) {
      return null;
    }
    int from = line.from();
    int to = from + line.length();
    // String.strip's ASCII part; a line with other white space around it is left to parseLine.
    while (from < to && b[from] >= 0 && b[from] <= ' ' && Character.isWhitespace(b[from])) {
      from++;
    }
    while (to > from && b[to - 1] >= 0 && b[to - 1] <= ' ' && Character.isWhitespace(b[to - 1])) {
      to--;
    }
    if (from == to) {
      return null;
    }
    int start = from;
    int length = to - from;
    return RawMessage.of(b, start, length,
        () -> MessageIds.stable("beacon-import", new String(b, start, length, StandardCharsets.UTF_8)), -1);
  }

  /** Parses and validates one line; a missing messageId becomes a stable id of the line's content. */
  static Message parse(String line) {
    return parseLine(line).message();
  }

  /** A valid line's message, and whether the line carried its own timestamp. */
  record Parsed(Message message, boolean hadTimestamp) {}

  static Parsed parseLine(String line) {
    String stripped = line.strip();
    byte[] bytes = stripped.getBytes(StandardCharsets.UTF_8);
    // The streaming reader builds the same Message without maps first; what it leaves (a line to
    // refuse, or of a rare shape) goes through the codec, which also words the refusal.
    WireReader.Decoded fast = WireReader.decode(bytes, 0, bytes.length,
        () -> MessageIds.stable("beacon-import", stripped));
    if (fast != null) {
      return new Parsed(fast.message(), fast.hadTimestamp());
    }
    Map<String, Object> json = MessageCodec.parseObject(bytes, 0, bytes.length);
    if (json.get("messageId") == null) {
      json.put("messageId", MessageIds.stable("beacon-import", stripped));
    }
    boolean hadTimestamp = json.get("timestamp") != null;
    return new Parsed(MessageCodec.fromMap(json), hadTimestamp);
  }

  /** Jackson's location text, e.g. "[Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 1]". */
  private static final Pattern JSON_LOCATION =
      Pattern.compile("\\[Source: [^\\]]*?line: \\d+, column: (\\d+)]");

  /**
   * An invalid line's error in the user's terms: Jackson's source-location boilerplate becomes the
   * column it points at (the line number is already in front of the message).
   */
  static String readable(IllegalArgumentException e) {
    String msg = String.valueOf(e.getMessage());
    String column = null;
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null) {
      Matcher at = JSON_LOCATION.matcher(cause.getMessage());
      while (at.find()) {
        column = at.group(1); // the last one is where the parser stopped
      }
    }
    msg = JSON_LOCATION.matcher(msg).replaceAll("column $1");
    return column != null && msg.startsWith("invalid JSON: ")
        ? "invalid JSON at column " + column + ": " + msg.substring("invalid JSON: ".length()) : msg;
  }
}
