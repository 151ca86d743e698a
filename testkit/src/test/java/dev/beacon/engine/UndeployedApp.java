package dev.beacon.engine;

import dev.beacon.Analytics;
import dev.beacon.SpoolDurability;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Loaded by {@link UndeployTest} in a class loader of its own, as a web application is: builds a
 * client whose callers journal their own messages, tracks on the calling (pool) thread, closes.
 */
public final class UndeployedApp implements Runnable {
  /** Made by reflection. */
  public UndeployedApp() {}

  @Override
  public void run() {
    Transport ok = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        return CompletableFuture.completedFuture(SendResult.delivered(200));
      }
    };
    Analytics a = Analytics.builder("k").transport(ok).shutdownHook(false)
        .spool(new MemorySpool(new MemorySpool.Disk(), 64L << 20)).spoolDurability(SpoolDurability.PROCESS_CRASH)
        .build();
    for (int i = 0; i < 100; i++) {
      if (!a.track("u", "Undeployed")) {
        throw new IllegalStateException("refused");
      }
    }
    if (!a.close(Duration.ofSeconds(30)).isSuccess()) {
      throw new IllegalStateException("not delivered: " + a.stats());
    }
  }
}
