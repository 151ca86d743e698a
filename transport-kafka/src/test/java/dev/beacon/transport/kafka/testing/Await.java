package dev.beacon.transport.kafka.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** Waits for a condition; the deadline only guards against a hang, it is never what a test asserts. */
public final class Await {
  private Await() {}

  /**
   * Polls {@code condition} until it holds.
   *
   * @param guard the longest wait, generous: reaching it fails the test
   * @param condition what to wait for
   * @param whatFailed describes the state when the guard is reached
   * @throws Exception from the condition, or an {@link AssertionError} at the guard
   */
  public static void until(Duration guard, Callable<Boolean> condition, Supplier<String> whatFailed) throws Exception {
    long deadline = System.nanoTime() + guard.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + guard + ": " + whatFailed.get());
      }
      Thread.sleep(20);
    }
  }
}
