package dev.beacon.trackingplan.assertions;

import dev.beacon.testkit.MessageRecorder;

/**
 * Entry point of the tracking-plan assertions.
 *
 * <pre>{@code
 * TrackingPlanAssertions.assertThat(capture).conformsTo(plan);
 * }</pre>
 *
 * <p>Call it by its class name when {@code BeaconAssertions.assertThat} is imported statically too:
 * both take a {@link MessageRecorder}.
 */
public final class TrackingPlanAssertions {
  private TrackingPlanAssertions() {}

  /**
   * Starts assertions on everything a recorder (the testkit's {@code CapturingTransport} or
   * {@code CollectorServer}) recorded.
   *
   * @param recorder the recorder
   * @return the assertions
   */
  public static RecorderPlanAssert assertThat(MessageRecorder recorder) {
    return new RecorderPlanAssert(recorder);
  }
}
