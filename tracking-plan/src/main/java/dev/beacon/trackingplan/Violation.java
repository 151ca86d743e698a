package dev.beacon.trackingplan;

/**
 * One way a message breaks its tracking plan.
 *
 * @param event the track event name, or the call type ({@code "identify"}, {@code "group"}...) for
 *     other calls
 * @param path where in the message, in dots: {@code properties.total},
 *     {@code properties.products[0].sku}, or the empty string for the message itself
 * @param rule the JSON Schema keyword that failed ({@code required}, {@code type}, {@code enum}...),
 *     or {@value #UNPLANNED} for a track event the plan does not list
 * @param message what is wrong, in Beacon's words where the validator's read badly after a path
 *     (e.g. {@code not a valid email address}; for an unplanned event, the nearest planned name
 *     when it looks like a typo: {@code 'Order Complted' is not in the tracking plan; did you mean
 *     'Order Completed'?}); never the offending value
 */
public record Violation(String event, String path, String rule, String message) {
  /** The {@link #rule()} of a track event that is not in the plan. */
  public static final String UNPLANNED = "unplanned";

  /**
   * Tells whether this is an event the plan does not list.
   *
   * @return true for {@value #UNPLANNED}
   */
  public boolean unplanned() {
    return UNPLANNED.equals(rule);
  }

  /**
   * Returns the rule and path as one key, e.g. {@code required properties.total}: how violations
   * are grouped and counted. List indexes become {@code []}, so that
   * {@code properties.products[0].sku} and {@code properties.products[7].sku} count together.
   *
   * @return the rule, a space and the path (the rule alone when the path is empty)
   */
  public String key() {
    return path.isEmpty() ? rule : rule + " " + path.replaceAll("\\[\\d+]", "[]");
  }

  @Override
  public String toString() {
    return event + ": " + (path.isEmpty() ? "" : path + ": ") + rule + ": " + message;
  }
}
