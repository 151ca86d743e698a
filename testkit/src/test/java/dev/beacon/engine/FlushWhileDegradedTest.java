package dev.beacon.engine;

import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.SpoolDurability;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 13: with the spool degraded and the API not answering, {@code flush()} used to
 * poll every 50 µs for its whole timeout, burning a core. It now sleeps until a commit wakes it
 * or the timeout passes.
 */
class FlushWhileDegradedTest {

  @Test
  void aFlushThatCannotFinishSleepsInsteadOfPolling() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(mx.isCurrentThreadCpuTimeSupported());
    MemorySpool.Disk disk = new MemorySpool.Disk();
    disk.failing = true; // every append fails: the journal degrades, messages stay in memory
    Transport silent = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        return new CompletableFuture<>(); // the API never answers
      }
    };
    Analytics a = builder(silent).spool(new MemorySpool(disk, 64L << 20))
        .spoolDurability(SpoolDurability.BUFFERED).flushAt(2).maxBatchMessages(2)
        .flushInterval(Duration.ofHours(1)).build();
    try {
      for (int i = 0; i < 7; i++) {
        assertThat(a.track("u", "E" + i)).isTrue();
      }
      // The first batch holds the only request slot forever, so the consumer waits for a slot
      // with the second one and the journal never covers the flush's target.
      long cpuBefore = mx.getCurrentThreadCpuTime();
      FlushResult r = a.flush(Duration.ofSeconds(2));
      long cpuNanos = mx.getCurrentThreadCpuTime() - cpuBefore;
      assertThat(r.complete()).isFalse();
      // Polling every 50 µs for 2 s costs this thread tens to hundreds of ms of CPU (40,000
      // parks); one sleep costs well under a millisecond. The bound is generous for a busy machine.
      assertThat(cpuNanos).as("CPU time the flushing thread used while it waited, ns")
          .isLessThan(40_000_000L);
    } finally {
      a.close(Duration.ZERO);
    }
  }
}
