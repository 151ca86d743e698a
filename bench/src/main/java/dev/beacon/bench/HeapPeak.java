package dev.beacon.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Peak heap in use during a run: the larger of a 1 ms poll of {@link MemoryMXBean} and the heap in
 * use just before each collection (from GC notifications, which catch the peaks the poll misses).
 */
final class HeapPeak implements AutoCloseable {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicLong peakAfterGc = new AtomicLong();
  private final List<Runnable> unregister = new ArrayList<>();
  private final Thread poller;
  private volatile boolean running = true;

  HeapPeak() {
    NotificationListener listener = (n, handback) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageBeforeGc().entrySet()) {
          if (!isNonHeap(e.getKey())) {
            used += e.getValue().getUsed();
          }
        }
        peak.accumulateAndGet(used, Math::max);
        long after = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
          if (!isNonHeap(e.getKey())) {
            after += e.getValue().getUsed();
          }
        }
        peakAfterGc.accumulateAndGet(after, Math::max);
      }
    };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter) {
        NotificationEmitter emitter = (NotificationEmitter) gc;
        emitter.addNotificationListener(listener, null, null);
        unregister.add(() -> {
          try {
            emitter.removeNotificationListener(listener);
          } catch (Exception ignored) {
            // already gone
          }
        });
      }
    }
    poller = new Thread(() -> {
      while (running) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-peak-poller");
    poller.setDaemon(true);
    poller.start();
  }

  private static boolean isNonHeap(String pool) {
    return pool.contains("Metaspace") || pool.contains("Code") || pool.contains("Compressed Class");
  }

  long peakBytes() {
    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    return peak.get();
  }

  /** The most heap still in use right after a collection: an upper bound of the live set. */
  long peakAfterGcBytes() {
    return peakAfterGc.get();
  }

  @Override
  public void close() {
    running = false;
    poller.interrupt();
    unregister.forEach(Runnable::run);
  }
}
