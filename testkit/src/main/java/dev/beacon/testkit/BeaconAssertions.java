package dev.beacon.testkit;

/**
 * Entry point of Beacon's AssertJ-style assertions.
 *
 * <pre>{@code
 * import static dev.beacon.testkit.BeaconAssertions.assertThat;
 *
 * assertThat(capture).hasTracked("Order Completed").withProperty("orderId", "ORD-123");
 * assertThat(capture).hasIdentified("user_123").withTrait("plan", "premium");
 * }</pre>
 */
public final class BeaconAssertions {
  private BeaconAssertions() {}

  /**
   * Starts assertions on what a capture or collector recorded.
   *
   * @param recorder a {@link CapturingTransport} or a collector
   * @return the assertion
   */
  public static RecorderAssert assertThat(MessageRecorder recorder) {
    return new RecorderAssert(recorder);
  }

  /**
   * Starts assertions on one captured message.
   *
   * @param message the message
   * @return the assertion
   */
  public static MessageAssert assertThat(CapturedMessage message) {
    return new MessageAssert(message);
  }
}
