package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.QueueFullPolicy;
import dev.beacon.Stats;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue-25 scenario, scaled down: a client on the Chronicle spool with a small
 * {@code maxSpoolBytes} and {@code QueueFullPolicy.block}, four threads producing faster than the
 * API accepts, ten times the spool's size in all. The directory's allocated bytes stay within the
 * bound, nothing is refused (callers wait for room), and the disk falls back once everything is
 * delivered, without a restart.
 */
class SpoolUnderLoadTest {
  private static final long MB = Journals.MB;
  private static final long MAX = 4 * MB;
  private static final long TIGHT_BOUND = MAX + MAX / 4 + 2 * MB;
  private static final long SLACK = MAX / 4 + 2 * MB;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** Answers each batch after a short delay on two threads, once its gate opened: a slow API. */
  private static final class SlowApi implements Transport {
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicLong delivered = new AtomicLong();
    final ExecutorService threads = Executors.newFixedThreadPool(2);

    @Override
    public CompletableFuture<SendResult> send(Batch batch) {
      return CompletableFuture.supplyAsync(() -> {
        try {
          gate.await();
          Thread.sleep(5); // the API's latency: the producers outrun it
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return SendResult.retryable(0, null, "interrupted", e);
        }
        delivered.addAndGet(batch.size());
        return SendResult.delivered(200);
      }, threads);
    }

    @Override
    public int maxConcurrentRequests() {
      return 2;
    }

    @Override
    public void close() {
      threads.shutdownNow();
    }
  }

  private static boolean waitingForSpoolRoom(Thread t) {
    Object blocker = LockSupport.getBlocker(t);
    return blocker != null && blocker.getClass().getSimpleName().equals("Journal");
  }

  @Test
  void sustainedOverloadWithBlockKeepsTheDiskBoundedRefusesNothingAndFreesTheDiskOnceDelivered()
      throws Exception {
    assumeTrue(AllocatedBytes.supported(), "measures st_blocks and /proc/self/maps: Linux only");
    SlowApi api = new SlowApi();
    int perThread = 10_000;
    String pad = "p".repeat(900); // ~1 KB messages: 40 MB in all through a 4 MB spool
    try (Analytics a = Analytics.builder("load-test-key").transport(api).spoolDirectory(dir).shutdownHook(false)
        .maxSpoolBytes(MAX).queueFullPolicy(QueueFullPolicy.block(WAIT)).flushAt(100)
        .flushInterval(Duration.ofMillis(20)).build()) {
      List<Thread> producers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        Thread p = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            a.track("user-" + id, "Load", Map.of("i", i, "pad", pad));
          }
        }, "load-" + t);
        producers.add(p);
        p.start();
      }
      long peak = 0;
      // Nothing is answered until the spool is full and a producer waits for room on it.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (producers.stream().noneMatch(SpoolUnderLoadTest::waitingForSpoolRoom)) {
        assertThat(System.nanoTime() - deadline).as("a producer waits on the full spool").isNegative();
        peak = Math.max(peak, AllocatedBytes.of(dir));
        Thread.sleep(5);
      }
      api.gate.countDown();
      while (producers.stream().anyMatch(Thread::isAlive)) {
        assertThat(System.nanoTime() - deadline).as("producers finish").isNegative();
        peak = Math.max(peak, AllocatedBytes.of(dir));
        Thread.sleep(20);
      }
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      Stats s = a.stats();
      assertThat(s.dropped(DropReason.SPOOL_FULL)).as("block: callers waited for room").isZero();
      assertThat(s.accepted()).isEqualTo(4L * perThread);
      assertThat(api.delivered.get()).isEqualTo(4L * perThread);
      assertThat(peak).as("peak allocated bytes, maxSpoolBytes=%d", MAX).isLessThanOrEqualTo(TIGHT_BOUND);

      // Delivered and acknowledged, the client still open: the disk falls back.
      long settleBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long now;
      while ((now = AllocatedBytes.of(dir)) > SLACK || !AllocatedBytes.deletedButMapped(dir).isEmpty()) {
        assertThat(System.nanoTime() - settleBy)
            .as("allocated %d bytes (slack %d); deleted files still mapped: %s", now, SLACK,
                AllocatedBytes.deletedButMapped(dir))
            .isNegative();
        BackgroundResourceReleaser.releasePendingResources();
        Thread.sleep(20);
      }
    }
  }
}
