package dev.beacon.cli;

import dev.beacon.Analytics;
import dev.beacon.Message;
import dev.beacon.trackingplan.InvalidTrackingPlanException;
import dev.beacon.trackingplan.PlanReport;
import dev.beacon.trackingplan.TrackingPlan;
import dev.beacon.trackingplan.TrackingPlanPlugin;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --plan} and {@code --plan-mode} of {@code beacon import}: a tracking plan applied while importing. */
final class PlanOptions {
  @Option(names = "--plan", paramLabel = "FILE",
      description = "check every message against this Segment tracking plan (JSON, as Segment exports it)")
  Path plan;

  @Option(names = "--plan-mode", paramLabel = "warn|drop", defaultValue = "warn",
      description = "with --plan: warn (send, count and report violations) or drop (skip messages that break"
          + " the plan; exit code 3); default: ${DEFAULT-VALUE}")
  String mode;

  private TrackingPlanPlugin plugin;
  /** Whether the plan dropped the last message offered (the import reads on one thread). */
  private boolean droppedLast;

  /** Adds the plan's plugin to the client when --plan is set. */
  void register(Analytics.Builder builder, boolean dryRun) {
    if (plan == null) {
      return;
    }
    if (dryRun) {
      throw new CliException(ExitCodes.USAGE, "--plan checks what import sends; to check files without sending,"
          + " run: beacon validate --plan " + plan + " FILE...");
    }
    TrackingPlanPlugin.Mode m;
    switch (mode.toLowerCase(Locale.ROOT)) {
      case "warn":
        m = TrackingPlanPlugin.Mode.WARN;
        break;
      case "drop":
        m = TrackingPlanPlugin.Mode.DROP;
        break;
      default:
        throw new CliException(ExitCodes.USAGE, "--plan-mode must be warn or drop but was " + mode);
    }
    plugin = TrackingPlanPlugin.builder(load(plan)).mode(m).build();
    builder.plugin(message -> {
      Message out = plugin.apply(message);
      droppedLast = out == null;
      return out;
    });
  }

  /** Reads a plan file, turning its faults into one-line errors (exit code 1). */
  static TrackingPlan load(Path file) {
    try {
      return TrackingPlan.load(file);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.FATAL, "cannot read tracking plan " + file + ": no such file", e);
    } catch (IOException e) {
      throw new CliException(ExitCodes.FATAL, "cannot read tracking plan " + file + ": " + e.getMessage(), e);
    } catch (InvalidTrackingPlanException e) {
      throw new CliException(ExitCodes.FATAL, "invalid tracking plan " + e.getMessage(), e);
    }
  }

  /** True when --plan is set: every message must be a {@code Message} the plan's plugin can check. */
  boolean active() {
    return plan != null;
  }

  /** True when the call just refused was dropped by the plan (not by a full queue or a closed client). */
  boolean droppedLast() {
    return plugin != null && droppedLast;
  }

  /** Messages the plan dropped. */
  long dropped() {
    return plugin == null ? 0 : plugin.report().dropped();
  }

  /** Prints what the plan saw, one line per event and rule. */
  void printSummary(PrintWriter out) {
    if (plugin == null) {
      return;
    }
    PlanReport r = plugin.report();
    out.printf("tracking plan '%s': %d checked, %d with violations, %d dropped%n", plugin.plan().name(),
        r.checked(), r.violating(), r.dropped());
    for (Map.Entry<String, Map<String, Long>> e : r.violations().entrySet()) {
      for (Map.Entry<String, Long> rule : e.getValue().entrySet()) {
        out.printf("  %s: %s: %d%n", e.getKey(), rule.getKey(), rule.getValue());
      }
    }
  }
}
