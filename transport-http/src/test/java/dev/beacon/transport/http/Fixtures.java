package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.Message;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Shared set-up and checks for the HTTP transport tests. */
final class Fixtures {
  static final String KEY = "http-test-write-key";
  static final Duration WAIT = Duration.ofSeconds(20);

  private Fixtures() {}

  /** Backoff of 10 ms doubling to 100 ms, no jitter, 5 retries: a quick suite. */
  static RetryPolicy.Builder fastRetries() {
    return RetryPolicy.builder().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(100))
        .jitter(false).maxRetries(5);
  }

  static HttpTransport.Builder http(URI endpoint) {
    return HttpTransport.builder(KEY).endpoint(endpoint)
        .connectTimeout(Duration.ofSeconds(2)).responseTimeout(Duration.ofSeconds(5));
  }

  /**
   * A client that records every final failure; flushes whole batches of {@code flushAt}. The
   * flush interval is an hour: batches are cut by count or by close(), never by the clock (with a
   * 50 ms interval a busy machine cut 10 messages into two batches, and the fault script meant
   * for one batch met two).
   */
  static final class Client implements AutoCloseable {
    final Analytics analytics;
    final List<DeliveryException> errors = new CopyOnWriteArrayList<>();
    final List<List<Message>> failedMessages = new CopyOnWriteArrayList<>();

    Client(Transport transport, RetryPolicy retryPolicy, int flushAt) {
      this(KEY, transport, retryPolicy, flushAt);
    }

    Client(String key, Transport transport, RetryPolicy retryPolicy, int flushAt) {
      this.analytics = Analytics.builder(key).transport(transport).shutdownHook(false)
          .retryPolicy(retryPolicy).flushAt(flushAt).flushInterval(Duration.ofHours(1))
          .onError((e, msgs) -> {
            errors.add(e);
            failedMessages.add(msgs);
          })
          .build();
    }

    /** Enqueues {@code n} tracks and returns their ids in order. */
    List<String> track(int n) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Track t = Track.builder("Order Completed").userId("user-" + (i % 3))
            .properties(Map.of("orderId", "ORD-" + i, "revenue", 10 + i)).build();
        assertThat(analytics.enqueue(t)).isTrue();
        ids.add(t.messageId());
      }
      return ids;
    }

    Stats closeAndCheck() {
      assertThat(analytics.close(WAIT).complete()).as("close completes in time").isTrue();
      Stats s = assertConserved(analytics);
      assertThat(s.pending()).isZero();
      return s;
    }

    @Override
    public void close() {
      analytics.close(WAIT);
    }
  }

  /** accepted + recovered == delivered + failed + notSent + pending, and pending == queued + inFlight. */
  static Stats assertConserved(Analytics a) {
    Stats s = a.stats();
    assertThat(s.accepted() + s.recovered()).as("conservation in %s", s)
        .isEqualTo(s.delivered() + s.failed() + s.notSent() + s.pending());
    assertThat(s.pending()).as("pending in %s", s).isEqualTo(s.queued() + s.inFlight());
    return s;
  }

  static Set<String> beaconThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("beacon-")).collect(Collectors.toSet());
  }

  /** Waits up to {@link #WAIT} for every thread named {@code beacon-*} to end, then asserts none is left. */
  static void assertNoBeaconThreadLeft() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Set<String> left = beaconThreads();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      left = beaconThreads();
    }
    assertThat(left).as("threads left behind after close").isEmpty();
  }

  static List<String> flatIds(List<List<Message>> batches) {
    List<String> ids = new ArrayList<>();
    for (List<Message> b : batches) {
      for (Message m : b) {
        ids.add(m.messageId());
      }
    }
    return Collections.unmodifiableList(ids);
  }
}
