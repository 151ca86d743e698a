package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.ServerFault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beacon import --spool DIR}, killed with SIGKILL half-way through a large file while the
 * collector is slow, then run again with the collector healthy: every line arrives, and the
 * duplicates (removed downstream by messageId) are bounded by the checkpoint interval.
 */
class ImportResumeTest {
  private static final String KEY = "resume-test-key";
  private static final int LINES = 200_000;
  /** Lines journaled after the last checkpoint are read again: at most one checkpoint interval. */
  private static final int CHECKPOINT_INTERVAL = 10_000;
  /** Batches the API accepted whose acknowledgement the kill prevented: one request slot, 1,000 each, and slack. */
  private static final int UNACKNOWLEDGED = 3_000;

  @TempDir Path dir;

  @Test
  void anImportKilledMidwayResumesWithNothingLostAndBoundedDuplicates() throws Exception {
    Path file = dir.resolve("backfill.ndjson");
    NdjsonGenerator.write(file, LINES, true);
    Path spool = dir.resolve("spool");
    Path keyFile = Cli.keyFile(dir, KEY);
    Map<String, Integer> arrivals = new ConcurrentHashMap<>();
    try (CollectorServer collector = CollectorServer.builder().writeKey(KEY).maxRecordedMessages(1)
        .listener((path, messages) -> {
          for (CapturedMessage m : messages) {
            arrivals.merge(m.messageId(), 1, Integer::sum);
          }
        }).build().start()) {
      String[] args = {"import", "--no-progress", "--spool", spool.toString(), "--endpoint", collector.uri().toString(),
          "--write-key-file", keyFile.toString(), file.toString()};
      collector.failRandomly(1.0, ServerFault.delay(Duration.ofMillis(100))); // slow: ~10,000 messages/s

      Cli.Child child = Cli.start(dir, args);
      // A guard against a hung import, not a speed limit: a busy machine may take minutes.
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (checkpoint(spool) < 40_000 || arrivals.isEmpty()) {
        assertThat(child.process().isAlive()).as("the import is still running").isTrue();
        assertThat(System.nanoTime()).as("time to reach the kill point").isLessThan(deadline);
        Thread.sleep(20);
      }
      child.kill();
      long checkpointAtKill = checkpoint(spool);
      int arrivedBeforeKill = arrivals.size();
      assertThat(checkpointAtKill).as("killed mid-way").isLessThan(LINES);

      collector.clearFaults();
      Cli.Run resumed = Cli.beacon(args);

      assertThat(resumed.exit()).as(resumed.all()).isZero();
      assertThat(resumed.out()).contains(checkpointAtKill + " skipped as already imported (resume)")
          .containsPattern("recovered \\d+ from the spool");
      for (int i = 1; i <= LINES; i++) {
        assertThat(arrivals).as("line %d arrived", i).containsKey(NdjsonGenerator.messageId(i));
      }
      assertThat(arrivals).hasSize(LINES);
      long total = arrivals.values().stream().mapToLong(Integer::longValue).sum();
      long duplicates = total - LINES;
      System.out.printf("resume: killed at checkpoint %d with %d delivered; %d duplicate(s) after the re-run%n",
          checkpointAtKill, arrivedBeforeKill, duplicates);
      assertThat(duplicates).as("duplicates").isLessThanOrEqualTo(CHECKPOINT_INTERVAL + UNACKNOWLEDGED);

      // A third run finds everything done: nothing is read or sent again.
      Cli.Run again = Cli.beacon(args);
      assertThat(again.exit()).as(again.all()).isZero();
      assertThat(again.out()).contains("read 0 line(s)").contains(LINES + " skipped as already imported");
      assertThat(arrivals.values().stream().mapToLong(Integer::longValue).sum()).isEqualTo(total);
    }
  }

  /** The import's checkpoint of the file: lines already journaled. */
  private static long checkpoint(Path spool) throws IOException {
    Path dir = spool.resolve("import-checkpoints");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> lines = files.filter(p -> p.toString().endsWith(".line")).toList();
      long max = 0;
      for (Path p : lines) {
        try {
          max = Math.max(max, Long.parseLong(Files.readString(p).strip()));
        } catch (IOException | NumberFormatException e) {
          // being replaced
        }
      }
      return max;
    }
  }
}
