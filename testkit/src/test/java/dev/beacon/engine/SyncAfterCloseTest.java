package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.SpoolDurability;
import dev.beacon.testkit.CapturingTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 8: an {@code OS_CRASH} caller whose sync starts after an ordinary
 * {@code close(Duration.ZERO)} closed the spool is not a spool failure: no ERROR, not degraded.
 */
class SyncAfterCloseTest {
  @Test
  void aSyncAfterCloseIsNotReportedAsASpoolFailure() throws Exception {
    MemorySpool.Disk disk = new MemorySpool.Disk();
    CountDownLatch slowDevice = new CountDownLatch(1);
    disk.commitGate = slowDevice;
    Analytics a = builder(new CapturingTransport()).spool(new MemorySpool(disk, 64L << 20))
        .spoolDurability(SpoolDurability.OS_CRASH).flushTimeout(Duration.ofSeconds(60)).build();
    String log;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    synchronized (System.class) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        // A's sync runs (held by the slow device); B appends after it began, so B needs a sync of its own.
        Thread first = new Thread(() -> a.track("u", "A"), "os-crash-a");
        first.start();
        await(() -> disk.commits.get() >= 1);
        Thread second = new Thread(() -> a.track("u", "B"), "os-crash-b");
        second.start();
        await(() -> Arrays.stream(second.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitDurable"))
            && second.getState() == Thread.State.TIMED_WAITING);
        a.close(Duration.ZERO); // an ordinary close: the spool closes while B waits for its sync
        slowDevice.countDown();
        first.join(WAIT.toMillis());
        second.join(WAIT.toMillis());
        assertThat(first.isAlive() || second.isAlive()).isFalse();
      } finally {
        System.setErr(err);
      }
      log = captured.toString(StandardCharsets.UTF_8);
    }
    assertThat(a.stats().spoolDegraded()).as("degraded after an ordinary close").isFalse();
    assertThat(log).doesNotContain("spool failed");
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition not met within %s", WAIT).isNegative();
      Thread.sleep(5);
    }
  }
}
