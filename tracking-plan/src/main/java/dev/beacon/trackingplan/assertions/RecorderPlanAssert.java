package dev.beacon.trackingplan.assertions;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.MessageRecorder;
import dev.beacon.trackingplan.TrackingPlan;
import dev.beacon.trackingplan.Violation;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractAssert;

/** Assertions that the messages a {@link MessageRecorder} recorded conform to a tracking plan. */
public final class RecorderPlanAssert extends AbstractAssert<RecorderPlanAssert, MessageRecorder> {
  private static final int SHOWN = 20;
  private boolean allowUnplanned;

  RecorderPlanAssert(MessageRecorder actual) {
    super(actual, RecorderPlanAssert.class);
  }

  /**
   * Lets track events the plan does not list pass; by default they fail the assertion.
   *
   * @return this
   */
  public RecorderPlanAssert allowingUnplannedEvents() {
    this.allowUnplanned = true;
    return this;
  }

  /**
   * Checks every recorded message against the plan, as it went on the wire.
   *
   * @param plan the tracking plan
   * @return this
   * @throws AssertionError listing each violation with the message's position, event, path and rule
   */
  public RecorderPlanAssert conformsTo(TrackingPlan plan) {
    isNotNull();
    List<CapturedMessage> messages = actual.messages();
    List<String> problems = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < messages.size(); i++) {
      CapturedMessage m = messages.get(i);
      for (Violation v : plan.check(m.json())) {
        if (allowUnplanned && v.unplanned()) {
          continue;
        }
        total++;
        if (problems.size() < SHOWN) {
          problems.add("  message " + (i + 1) + " (messageId " + m.messageId() + "): " + v);
        }
      }
    }
    if (total > 0) {
      failWithMessage("Expected the %s recorded messages to conform to tracking plan '%s', but found %s"
          + " violation(s):%n%s%s", messages.size(), plan.name(), total, String.join(System.lineSeparator(), problems),
          total > SHOWN ? System.lineSeparator() + "  ..." : "");
    }
    return this;
  }
}
