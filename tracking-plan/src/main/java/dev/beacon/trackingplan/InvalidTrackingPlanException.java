package dev.beacon.trackingplan;

/**
 * A tracking-plan file that cannot be used: not JSON, not the shape Segment exports, or holding a
 * rule that is not a valid JSON Schema. The message names the file and the JSON pointer of the
 * fault, e.g. {@code plan.json: /rules/events/3/rules/properties/properties: ...}.
 */
public final class InvalidTrackingPlanException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String pointer;

  InvalidTrackingPlanException(String source, String pointer, String problem, Throwable cause) {
    super(source + ": " + (pointer.isEmpty() ? "/" : pointer) + ": " + problem, cause);
    this.source = source;
    this.pointer = pointer;
  }

  /**
   * Returns the plan's file name, or the name given to {@link TrackingPlan#parse(String, String)}.
   *
   * @return the source of the plan
   */
  public String source() {
    return source;
  }

  /**
   * Returns where in the plan the fault is.
   *
   * @return a JSON pointer (RFC 6901), empty for the whole document
   */
  public String pointer() {
    return pointer;
  }
}
