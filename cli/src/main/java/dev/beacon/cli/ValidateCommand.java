package dev.beacon.cli;

import dev.beacon.internal.MessageCodec;
import dev.beacon.internal.WireRules;
import dev.beacon.trackingplan.TrackingPlan;
import dev.beacon.trackingplan.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code beacon validate}: checks newline-delimited JSON files of Segment messages against a
 * tracking plan, without sending anything.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Check newline-delimited JSON files of Segment messages against a tracking plan; send nothing.",
        "Prints the violations grouped by event and rule, with file:line examples and totals.",
        "Exit code 0 when every message conforms, 3 when any breaks the plan or a line is not a JSON object."})
final class ValidateCommand implements Callable<Integer> {
  /** file:line examples printed per event and rule. */
  static final int EXAMPLES = 3;

  @Spec
  CommandSpec spec;

  @Option(names = "--plan", paramLabel = "FILE", required = true,
      description = "the Segment tracking plan (JSON, as Segment exports it)")
  Path plan;

  @Option(names = "--allow-unplanned", description = "do not count track events the plan does not list")
  boolean allowUnplanned;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "NDJSON files, or - for standard input")
  List<String> files;

  /** Violations of one rule of one event: how many, an example message, where. */
  private static final class Tally {
    long count;
    String example;
    final List<String> where = new ArrayList<>(EXAMPLES);
  }

  private final Map<String, Map<String, Tally>> byEvent = new TreeMap<>();
  private long messages;
  private long violating;
  private long invalidLines;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    trackingPlan = PlanOptions.load(plan);
    for (String f : files) {
      validateFile(f, out);
    }
    long total = 0;
    for (Map.Entry<String, Map<String, Tally>> e : byEvent.entrySet()) {
      long n = e.getValue().values().stream().mapToLong(t -> t.count).sum();
      total += n;
      out.printf("%s: %d violation(s)%n", WireRules.printable(e.getKey(), 200), n);
      for (Map.Entry<String, Tally> rule : e.getValue().entrySet()) {
        Tally t = rule.getValue();
        out.printf("  %-40s %6d   %s%s  (%s)%n", WireRules.printable(rule.getKey(), 200), t.count,
            WireRules.printable(String.join(", ", t.where), 2000), t.count > t.where.size() ? ", ..." : "",
            WireRules.printable(t.example, 500));
      }
    }
    out.printf("checked %d message(s) in %d file(s) against '%s': %d conform, %d with violations"
        + " (%d violation(s)), %d invalid line(s)%n", messages, files.size(), trackingPlan.name(), messages - violating,
        violating, total, invalidLines);
    return violating > 0 || invalidLines > 0 ? ExitCodes.INVALID_INPUT : ExitCodes.OK;
  }

  private TrackingPlan trackingPlan;

  private void validateFile(String name, PrintWriter out) {
    String label = "-".equals(name) ? "<stdin>" : name;
    long lineNo = 0;
    // Standard input is read but never closed: it is not ours.
    try (InputStream raw = "-".equals(name) ? new java.io.FilterInputStream(System.in) {
          @Override
          public void close() {}
        } : Files.newInputStream(Path.of(name))) {
      NdjsonLines lines = new NdjsonLines(raw, WireRules.MAX_NDJSON_LINE_BYTES);
      NdjsonLines.Line next;
      while ((next = lines.next()) != null) {
        lineNo = next.number();
        String line = next.text();
        if (line != null && line.isBlank()) {
          continue;
        }
        Map<String, Object> json;
        try {
          if (line == null) {
            throw new IllegalArgumentException(next.problem());
          }
          byte[] bytes = line.strip().getBytes(StandardCharsets.UTF_8);
          json = MessageCodec.parseObject(bytes, 0, bytes.length);
        } catch (IllegalArgumentException e) {
          invalidLines++;
          out.printf("%s:%d: %s%n", WireRules.printable(label, 500), lineNo, WireRules.printable(e.getMessage(), 500));
          continue;
        }
        messages++;
        boolean any = false;
        for (Violation v : trackingPlan.check(json)) {
          if (allowUnplanned && v.unplanned()) {
            continue;
          }
          any = true;
          Tally t = byEvent.computeIfAbsent(v.event(), k -> new TreeMap<>()).computeIfAbsent(v.key(), k -> new Tally());
          t.count++;
          if (t.example == null) {
            t.example = v.message();
          }
          if (t.where.size() < EXAMPLES) {
            t.where.add(label + ":" + lineNo);
          }
        }
        if (any) {
          violating++;
        }
      }
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.FATAL, "cannot read " + label + ": no such file", e);
    } catch (IOException e) {
      throw new CliException(ExitCodes.FATAL, "cannot read " + label + " at line " + (lineNo + 1) + ": "
          + e.getMessage(), e);
    }
  }
}
