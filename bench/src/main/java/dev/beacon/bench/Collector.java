package dev.beacon.bench;

import java.io.IOException;

/** Starts the loopback collector the side-by-side runs send to. */
final class Collector {
  private Collector() {}

  static Receiver start() throws IOException {
    return new CountingReceiver();
  }
}
