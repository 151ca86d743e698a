package dev.beacon.spool.chronicle;

import dev.beacon.Analytics;
import dev.beacon.MessageIds;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.SpoolDurability;
import dev.beacon.Track;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * The child JVM of {@link CrashTest}: a real client with the Chronicle spool and the HTTP
 * transport, producing numbered events as fast as it can and printing the number of every call
 * that returned {@code true}, until it is killed with SIGKILL. Journal files roll every second and
 * every 256 KB, so kills land before, during and after rolls.
 */
public final class CrashClient {
  /** The child's {@code maxSpoolBytes}. */
  static final long SPOOL_BYTES = 1L << 20;

  private CrashClient() {}

  static ChronicleSpool.Settings settings() {
    return new ChronicleSpool.Settings(TestRollCycles.TEST_SECONDLY, 1L << 20, 500, null, DiskSpace.FILE_STORE,
        4L << 20);
  }

  static Analytics.Builder client(ChronicleSpool spool, URI endpoint) {
    return Analytics.builder(CrashTest.WRITE_KEY).endpoint(endpoint).spool(spool).shutdownHook(false)
        .flushAt(100).maxBatchMessages(CrashTest.MAX_BATCH).flushInterval(Duration.ofMillis(50))
        .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(200))
            .maxRetries(1000).build());
  }

  static Track event(long n) {
    return Track.builder("Crash Test Event").userId("user-" + (n % 97))
        .properties(Map.of("n", n, "pad", "p".repeat(200)))
        .messageId(MessageIds.stable("crash", Long.toString(n))).build();
  }

  /**
   * Runs the producer.
   *
   * @param args spool directory, endpoint, first event number, and optionally a durability and a
   *     number of producer threads (default 1)
   * @throws Exception on setup failure
   */
  public static void main(String[] args) throws Exception {
    ChronicleProperties.apply();
    Path dir = Path.of(args[0]);
    URI endpoint = URI.create(args[1]);
    long n = Long.parseLong(args[2]);
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
    SpoolDurability durability = args.length > 3 ? SpoolDurability.valueOf(args[3]) : SpoolDurability.PROCESS_CRASH;
    // A small spool: its files also roll every 256 KB (a quarter of it), so kills land during
    // early rolls too, and callers wait for room (block) whenever delivery falls behind.
    ChronicleSpool spool = ChronicleSpool.open(dir, SPOOL_BYTES, durability, settings());
    Analytics analytics = client(spool, endpoint).spoolDurability(durability).maxQueueSize(CrashTest.BUFFERED_RING)
        .queueFullPolicy(QueueFullPolicy.block(Duration.ofSeconds(30))).build();
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    out.println("READY " + spool.recoveredRecords());
    out.flush();
    if (threads == 1) {
      for (; ; n++) {
        if (analytics.enqueue(event(n))) {
          out.println(n);
          out.flush();
        }
      }
    }
    // Concurrent appends: each thread takes the next number and prints it once its call returned
    // true (println is synchronized; a number whose call returned false is never printed).
    AtomicLong next = new AtomicLong(n);
    for (int t = 0; t < threads; t++) {
      Thread producer = new Thread(() -> {
        while (true) {
          long k = next.getAndIncrement();
          if (analytics.enqueue(event(k))) {
            synchronized (out) {
              out.println(k);
              out.flush();
            }
          }
        }
      }, "producer-" + t);
      producer.start();
    }
    Thread.currentThread().join(); // until killed
  }
}
