package dev.beacon.trackingplan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of what a {@link TrackingPlanPlugin} saw: messages checked, messages with violations,
 * what it dropped or rejected, and violations counted per event and rule.
 *
 * @param checked messages checked against the plan
 * @param violating messages with at least one violation (unplanned events included unless allowed)
 * @param dropped messages the plugin dropped (DROP mode, or unplanned events set to drop)
 * @param rejected calls the plugin refused with an exception (STRICT mode)
 * @param violations per event (track event name, or the call type), the count per rule key
 *     ({@link Violation#key()}, e.g. {@code required properties.total}); sorted, unmodifiable
 */
public record PlanReport(long checked, long violating, long dropped, long rejected,
    Map<String, Map<String, Long>> violations) {

  /**
   * Creates a report; the map is copied and sorted.
   *
   * @param checked see the record description
   * @param violating see the record description
   * @param dropped see the record description
   * @param rejected see the record description
   * @param violations see the record description
   */
  public PlanReport {
    TreeMap<String, Map<String, Long>> copy = new TreeMap<>();
    violations.forEach((event, rules) -> copy.put(event, Collections.unmodifiableMap(new TreeMap<>(rules))));
    violations = Collections.unmodifiableMap(copy);
  }

  /**
   * Returns the violations counted for one event.
   *
   * @param event a track event name or a call type
   * @return the count per rule key, empty when none
   */
  public Map<String, Long> violations(String event) {
    return violations.getOrDefault(event, Map.of());
  }

  /**
   * Returns the total count of violations.
   *
   * @return the sum over every event and rule
   */
  public long totalViolations() {
    long n = 0;
    for (Map<String, Long> rules : violations.values()) {
      for (long c : rules.values()) {
        n += c;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("checked", checked);
    m.put("violating", violating);
    m.put("dropped", dropped);
    m.put("rejected", rejected);
    m.put("violations", violations);
    return "PlanReport" + m;
  }
}
