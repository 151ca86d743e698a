package dev.beacon.testkit;

import dev.beacon.spi.Transport;

/** The in-memory capture passes the same kit as every real transport. */
class CapturingTransportCompatibilityTest extends TransportCompatibilityKit {
  private final CapturingTransport capture = new CapturingTransport(4);

  @Override
  protected Transport newTransport() {
    return capture;
  }

  @Override
  protected MessageRecorder receiver() {
    return capture;
  }

  @Override
  protected boolean failNext(int n, int status) {
    capture.failNext(n, status >= 500 || status == 429 ? Fault.retryable(status) : Fault.permanent(status));
    return true;
  }
}
