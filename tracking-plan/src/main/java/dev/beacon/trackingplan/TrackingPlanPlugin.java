package dev.beacon.trackingplan;

import dev.beacon.Message;
import dev.beacon.spi.MessageRejectedException;
import dev.beacon.spi.Plugin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every message against a {@link TrackingPlan} at the call, before it is queued.
 *
 * <pre>{@code
 * TrackingPlan plan = TrackingPlan.load(Path.of("tracking-plan.json"));
 * TrackingPlanPlugin checker = TrackingPlanPlugin.builder(plan).mode(TrackingPlanPlugin.Mode.WARN).build();
 * Analytics analytics = Analytics.builder(writeKey).plugin(checker).build();
 * ...
 * PlanReport report = checker.report();
 * }</pre>
 *
 * <p>What happens to a message with violations depends on the {@link Mode}; what happens to a track
 * event the plan does not list, on {@link #builder(TrackingPlan) unplannedEvents} (by default, the
 * same as any violation). Every violation is counted per event and rule in {@link #report()}.
 * Distinct events and rules counted are bounded ({@value #MAX_EVENTS} events, {@value #MAX_RULES}
 * rules per event; the rest are counted under {@value #OTHER}), so arbitrary event names cannot
 * grow memory.
 */
public final class TrackingPlanPlugin implements Plugin {
  /** Most distinct events counted in the report. */
  public static final int MAX_EVENTS = 1000;
  /** Most distinct rule keys counted per event. */
  public static final int MAX_RULES = 100;
  /** The key the counts beyond the bounds go to. */
  public static final String OTHER = "(other)";

  private static final Logger LOG = LoggerFactory.getLogger(TrackingPlanPlugin.class);
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  /** What the plugin does with a message that breaks the plan. */
  public enum Mode {
    /** Sends it, counts the violations and logs them at a bounded rate. For production. */
    WARN,
    /** Refuses it: the call returns {@code false}, counted as {@code DropReason.FILTERED}. */
    DROP,
    /**
     * Throws an {@link IllegalArgumentException} (a {@link MessageRejectedException}) naming the
     * event, the property path and the rule. For tests and development.
     */
    STRICT
  }

  /** What the plugin does with a track event the plan does not list. */
  public enum Unplanned {
    /** Sends it, not counted as a violation. */
    ALLOW,
    /** Sends it, counted and logged. */
    WARN,
    /** Refuses it: the call returns {@code false}. */
    DROP
  }

  private final TrackingPlan plan;
  private final Mode mode;
  private final Unplanned unplanned;
  private final LongAdder checked = new LongAdder();
  private final LongAdder violating = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>> counts = new ConcurrentHashMap<>();
  private final AtomicLong nextLog = new AtomicLong(Long.MIN_VALUE);
  private final LongAdder suppressedLogs = new LongAdder();

  private TrackingPlanPlugin(Builder b) {
    this.plan = b.plan;
    this.mode = b.mode;
    this.unplanned = b.unplanned;
  }

  /**
   * Starts a plugin for a plan. Defaults: {@link Mode#WARN}; unplanned events treated like any
   * violation.
   *
   * @param plan the tracking plan
   * @return a builder
   */
  public static Builder builder(TrackingPlan plan) {
    if (plan == null) {
      throw new IllegalArgumentException("plan must not be null");
    }
    return new Builder(plan);
  }

  /**
   * Returns the plan.
   *
   * @return the plan checked against
   */
  public TrackingPlan plan() {
    return plan;
  }

  @Override
  public Message apply(Message message) {
    checked.increment();
    List<Violation> found = plan.check(message);
    if (found.isEmpty()) {
      return message;
    }
    boolean drop = false;
    boolean reject = false;
    List<Violation> counted = new ArrayList<>(found.size());
    for (Violation v : found) {
      if (v.unplanned() && unplanned != null) {
        if (unplanned == Unplanned.ALLOW) {
          continue;
        }
        drop |= unplanned == Unplanned.DROP;
      } else {
        drop |= mode == Mode.DROP;
        reject |= mode == Mode.STRICT;
      }
      counted.add(v);
    }
    if (counted.isEmpty()) {
      return message;
    }
    violating.increment();
    for (Violation v : counted) {
      count(v);
    }
    if (reject) {
      rejected.increment();
      throw new MessageRejectedException(describe(counted));
    }
    if (drop) {
      dropped.increment();
    }
    log(counted, drop);
    return drop ? null : message;
  }

  private void count(Violation v) {
    ConcurrentHashMap<String, LongAdder> rules = counts.get(v.event());
    if (rules == null) {
      String key = counts.size() < MAX_EVENTS ? v.event() : OTHER;
      rules = counts.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    }
    LongAdder n = rules.get(v.key());
    if (n == null) {
      String key = rules.size() < MAX_RULES ? v.key() : OTHER;
      n = rules.computeIfAbsent(key, k -> new LongAdder());
    }
    n.increment();
  }

  private String describe(List<Violation> vs) {
    StringBuilder b = new StringBuilder("tracking plan '").append(plan.name()).append("': ");
    for (int i = 0; i < vs.size(); i++) {
      if (i > 0) {
        b.append("; ");
      }
      b.append(vs.get(i));
    }
    return b.toString();
  }

  private void log(List<Violation> vs, boolean dropped) {
    long now = System.nanoTime();
    long n = nextLog.get();
    if ((n == Long.MIN_VALUE || now - n >= 0) && nextLog.compareAndSet(n, now + LOG_INTERVAL_NANOS)) {
      long s = suppressedLogs.sumThenReset();
      LOG.warn("Beacon: {} a message that breaks the {}{}; see TrackingPlanPlugin.report()",
          dropped ? "dropped" : "sent", describe(vs), s == 0 ? "" : " (" + s + " similar warnings suppressed)");
    } else {
      suppressedLogs.increment();
    }
  }

  /**
   * Returns what the plugin saw so far.
   *
   * @return a snapshot
   */
  public PlanReport report() {
    Map<String, Map<String, Long>> v = new HashMap<>();
    counts.forEach((event, rules) -> {
      Map<String, Long> m = new HashMap<>();
      rules.forEach((rule, n) -> m.put(rule, n.sum()));
      v.put(event, m);
    });
    return new PlanReport(checked.sum(), violating.sum(), dropped.sum(), rejected.sum(), v);
  }

  @Override
  public String toString() {
    return "TrackingPlanPlugin{plan=" + plan.name() + ", mode=" + mode + ", unplanned="
        + (unplanned == null ? "as mode" : unplanned) + "}";
  }

  /** Builder of {@link TrackingPlanPlugin}. */
  public static final class Builder {
    private final TrackingPlan plan;
    private Mode mode = Mode.WARN;
    private Unplanned unplanned;

    private Builder(TrackingPlan plan) {
      this.plan = plan;
    }

    /**
     * Sets what happens to a message that breaks the plan. Default {@link Mode#WARN}.
     *
     * @param mode warn, drop or strict
     * @return this builder
     */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /**
     * Sets what happens to a track event the plan does not list. Default: the same as any
     * violation in the chosen {@link Mode}.
     *
     * @param unplanned allow, warn or drop
     * @return this builder
     */
    public Builder unplannedEvents(Unplanned unplanned) {
      this.unplanned = unplanned;
      return this;
    }

    /**
     * Creates the plugin.
     *
     * @return the plugin
     * @throws IllegalArgumentException when mode is null
     */
    public TrackingPlanPlugin build() {
      if (mode == null) {
        throw new IllegalArgumentException("mode must not be null");
      }
      return new TrackingPlanPlugin(this);
    }
  }
}
