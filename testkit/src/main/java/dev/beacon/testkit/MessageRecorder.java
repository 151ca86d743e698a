package dev.beacon.testkit;

import java.time.Duration;
import java.util.List;

/**
 * Something that records delivered messages: the in-memory {@link CapturingTransport} or a real
 * HTTP collector. {@link BeaconAssertions#assertThat(MessageRecorder)} works on either.
 */
public interface MessageRecorder {
  /**
   * Returns every message recorded so far, in arrival order.
   *
   * @return an unmodifiable copy
   */
  List<CapturedMessage> messages();

  /**
   * Waits until at least {@code count} messages were recorded.
   *
   * @param count the number to wait for
   * @param timeout the longest wait
   * @return the messages recorded when the count was reached
   * @throws AssertionError when the timeout passes first, saying how many arrived
   */
  List<CapturedMessage> awaitMessages(int count, Duration timeout);

  /** Forgets everything recorded and any scripted fault. */
  void reset();
}
