package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.FlushResult;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real client on the Chronicle spool, found through ServiceLoader by spoolDirectory(...). */
class SpooledClientTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static Analytics.Builder client(CapturingTransport t, Path dir) {
    return Analytics.builder("spool-test-key").transport(t).spoolDirectory(dir).shutdownHook(false)
        .flushAt(100).flushInterval(Duration.ofMillis(20));
  }

  @Test
  void restartAfterACleanCloseWithTheCollectorDownDeliversEverything(@TempDir Path dir) throws Exception {
    CapturingTransport down = new CapturingTransport().failNext(1_000_000, Fault.retryable(503));
    Analytics first = client(down, dir).retryPolicy(RetryPolicy.defaults()).build();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Track t = Track.builder("Spooled").userId("u" + (i % 10)).properties(Map.of("i", i)).build();
      assertThat(first.enqueue(t)).isTrue();
      ids.add(t.messageId());
    }
    FlushResult closed = first.close(Duration.ofMillis(500));
    assertThat(closed.complete()).isFalse();
    assertThat(first.stats().failed()).isZero();
    assertThat(first.stats().spooled()).isEqualTo(2000);

    CapturingTransport up = new CapturingTransport();
    try (Analytics second = client(up, dir).build()) {
      assertThat(second.stats().recovered()).isEqualTo(2000);
      assertThat(second.flush(WAIT).isSuccess()).isTrue();
      Stats s = second.stats();
      assertThat(s.delivered()).isEqualTo(2000);
      assertThat(s.accepted() + s.recovered()).isEqualTo(s.delivered() + s.failed() + s.notSent() + s.pending());
    }
    assertThat(up.messages()).extracting(CapturedMessage::messageId).containsExactlyElementsOf(ids);

    try (Analytics third = client(new CapturingTransport(), dir).build()) {
      assertThat(third.stats().recovered()).as("everything was acknowledged").isZero();
    }
  }

  /**
   * Four threads journal their own messages into one Chronicle queue at once (the appender shared
   * under the engine's lock): after a restart every record reads back intact, once, each thread's
   * in its order; both durability modes that append on the caller.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(value = dev.beacon.SpoolDurability.class, names = {"PROCESS_CRASH", "OS_CRASH"})
  void fourThreadsAppendingAtOnceLoseNothingAndKeepEachThreadsOrder(dev.beacon.SpoolDurability durability,
      @TempDir Path dir) throws Exception {
    int threads = 4;
    int each = durability == dev.beacon.SpoolDurability.OS_CRASH ? 300 : 2_000;
    CapturingTransport down = new CapturingTransport().failNext(1_000_000, Fault.retryable(503));
    Analytics first = client(down, dir).spoolDurability(durability).retryPolicy(RetryPolicy.defaults()).build();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int producer = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            assertThat(first.track("u" + producer, "Concurrent", Map.of("t", producer, "i", i))).isTrue();
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(first.stats().spoolSyncTimeouts()).isZero();
    first.close(Duration.ofMillis(200));

    CapturingTransport up = new CapturingTransport();
    try (Analytics second = client(up, dir).build()) {
      assertThat(second.stats().recovered()).isEqualTo((long) threads * each);
      assertThat(second.flush(WAIT).isSuccess()).isTrue();
      assertThat(second.stats().failed()).isZero();
    }
    Map<Object, List<Integer>> byThread = new java.util.HashMap<>();
    for (CapturedMessage m : up.messages()) {
      byThread.computeIfAbsent(m.properties().get("t"), k -> new ArrayList<>())
          .add(((Number) m.properties().get("i")).intValue());
    }
    assertThat(byThread).hasSize(threads);
    List<Integer> expected = java.util.stream.IntStream.range(0, each).boxed().toList();
    for (List<Integer> seen : byThread.values()) {
      assertThat(seen).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void theWriteKeyIsNeverWrittenIntoTheSpool(@TempDir Path dir) throws Exception {
    String key = "wk_SPOOL_CANARY_42";
    CapturingTransport t = new CapturingTransport().failNext(1_000_000, Fault.retryable(503));
    Analytics a = Analytics.builder(key).transport(t).spoolDirectory(dir).shutdownHook(false).build();
    for (int i = 0; i < 100; i++) {
      a.track("u", "E", Map.of("i", i));
    }
    a.close(Duration.ofMillis(200));
    try (var files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        assertThat(new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1))
            .as(p.toString()).doesNotContain(key);
      }
    }
  }

  @Test
  void aSecondClientOnTheSameDirectoryFailsToBuildClearly(@TempDir Path dir) {
    try (Analytics a = client(new CapturingTransport(), dir).build()) {
      assertThatThrownBy(() -> client(new CapturingTransport(), dir).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining(dir.toString());
      assertThat(a.track("u", "Still Works")).isTrue();
    }
  }

  @Test
  void anUnusableDirectoryRunsInMemoryInsteadOfFailing(@TempDir Path dir) throws Exception {
    Path file = Files.createFile(dir.resolve("not-a-directory"));
    CapturingTransport t = new CapturingTransport();
    try (Analytics a = client(t, file).build()) {
      assertThat(a.stats().spoolDegraded()).isTrue();
      a.track("u", "In Memory");
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(t.messages()).hasSize(1);
    }
  }
}
