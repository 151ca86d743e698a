package dev.beacon.relay.kafka;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** Waits for a condition; the deadline only guards against a hang, it is never what a test asserts. */
final class Await {
  private Await() {}

  static void until(Duration guard, Callable<Boolean> condition, Supplier<String> whatFailed) throws Exception {
    long deadline = System.nanoTime() + guard.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + guard + ": " + whatFailed.get());
      }
      Thread.sleep(50);
    }
  }
}
