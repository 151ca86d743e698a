package dev.beacon.transport.http;

import static dev.beacon.transport.http.Fixtures.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.CollectorStats;
import dev.beacon.testkit.ServerFault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * 100,000 tracks from 4 threads through the real HTTP transport to a {@link CollectorServer},
 * then {@code close()}: exactly once without faults, at least once with random faults. Prints
 * the measured throughput, which lands in the surefire report.
 */
class EndToEndTest {
  private static final int EVENTS = 100_000;
  private static final int THREADS = 4;

  @Test
  void deliversEveryEventExactlyOnceWithoutFaults() throws Exception {
    Run run = run("no faults", server -> { }, UnaryOperator.identity());

    assertThat(run.stats.delivered()).isEqualTo(EVENTS);
    assertThat(run.stats.failed()).isZero();
    assertThat(run.stats.dropped()).isZero();
    // Plain set and stream checks: AssertJ's element-wise collection assertions are quadratic.
    assertThat(run.received.keySet()).as("every messageId received").isEqualTo(new HashSet<>(run.sent));
    assertThat(run.received.values().stream().filter(n -> n != 1).count()).as("ids received twice").isZero();
    assertThat(run.server.duplicates()).isZero();
    assertThat(run.server.messages()).isEqualTo(EVENTS);
  }

  @Test
  void deliversEveryEventAtLeastOnceWithRandomFaults() throws Exception {
    Run run = run("10% 503, 5% dropped connections", server -> server
        .failRandomly(0.10, ServerFault.status(503))
        .failRandomly(0.05, ServerFault.dropConnection()), UnaryOperator.identity());

    assertThat(run.stats.delivered()).isEqualTo(EVENTS);
    assertThat(run.stats.failed()).isZero();
    assertThat(run.stats.dropped()).isZero();
    assertThat(run.stats.retries()).isPositive();
    assertThat(run.server.faultsInjected()).isPositive();
    assertThat(run.received.keySet()).as("none missing, none unknown").isEqualTo(new HashSet<>(run.sent));
  }

  private static final class Run {
    Stats stats;
    CollectorStats server;
    final Map<String, Integer> received = new ConcurrentHashMap<>();
    final List<String> sent = new ArrayList<>(EVENTS);
  }

  private static Run run(String label, Consumer<CollectorServer> faults, UnaryOperator<HttpTransport.Builder> http)
      throws Exception {
    Run run = new Run();
    try (CollectorServer server = CollectorServer.builder().writeKey(KEY).maxRecordedMessages(1_000)
        .listener((path, msgs) -> {
          for (CapturedMessage m : msgs) {
            run.received.merge(m.messageId(), 1, Integer::sum);
          }
        }).build().start()) {
      faults.accept(server);
      HttpTransport transport = http.apply(HttpTransport.builder(KEY).endpoint(server.uri())).build();
      Analytics analytics = Analytics.builder(KEY).transport(transport).shutdownHook(false)
          // Generous guards, not speed limits: a busy CI machine may run this several times slower.
          .queueFullPolicy(QueueFullPolicy.block(Duration.ofMinutes(5)))
          .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(200))
              .maxRetries(20).build())
          .build();
      String[][] ids = new String[THREADS][EVENTS / THREADS];
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> producers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int p = t;
        Thread th = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < EVENTS / THREADS; i++) {
            Track track = Track.builder("Order Completed").userId("user-" + p + "-" + (i % 500))
                .properties(Map.of("orderId", "ORD-" + p + "-" + i, "revenue", new BigDecimal("99.99"),
                    "currency", "EUR", "products", List.of(Map.of("sku", "SKU-" + (i % 97), "quantity", 1))))
                .build();
            ids[p][i] = track.messageId();
            if (!analytics.enqueue(track)) {
              throw new AssertionError("refused " + i);
            }
          }
        }, "producer-" + t);
        th.start();
        producers.add(th);
      }
      long start = System.nanoTime();
      go.countDown();
      for (Thread th : producers) {
        th.join();
      }
      long produced = System.nanoTime();
      assertThat(analytics.close(Duration.ofMinutes(5)).complete()).isTrue();
      long end = System.nanoTime();
      run.stats = Fixtures.assertConserved(analytics);
      run.server = server.stats();
      for (String[] perThread : ids) {
        run.sent.addAll(List.of(perThread));
      }
      double seconds = (end - start) / 1e9;
      System.out.printf(Locale.ROOT, "END-TO-END [%s]: %,d tracks from %d threads over HTTP in %.2f s"
              + " (producers done after %.2f s) = %,.0f events/s; client: %,d requests (%,d retries), %,d delivered;"
              + " server: %,d requests (%,d accepted, %,d faults injected), average batch %.1f messages,"
              + " %,d bytes on the wire, %,d uncompressed, gzip ratio %.2f, %,d duplicates%n",
          label, EVENTS, THREADS, seconds, (produced - start) / 1e9, EVENTS / seconds, run.stats.requests(),
          run.stats.retries(), run.stats.delivered(), run.server.requests(), run.server.acceptedRequests(),
          run.server.faultsInjected(), run.server.averageBatchSize(), run.server.bytesReceived(),
          run.server.bytesUncompressed(), run.server.gzipRatio(), run.server.duplicates());
    }
    Fixtures.assertNoBeaconThreadLeft();
    return run;
  }
}
