package dev.beacon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/** Shared builders and checks for engine tests. */
final class Clients {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final RetryPolicy FAST_RETRIES = RetryPolicy.builder()
      .baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(5)).jitter(false).build();

  private Clients() {}

  static Analytics.Builder builder(Transport transport) {
    return Analytics.builder("test-write-key").transport(transport).shutdownHook(false)
        .retryPolicy(FAST_RETRIES).flushInterval(Duration.ofMillis(20));
  }

  /** accepted + recovered == delivered + failed + notSent + pending, and pending == queued + inFlight. */
  static Stats assertConserved(Analytics a) {
    Stats s = a.stats();
    assertThat(s.accepted() + s.recovered()).as("conservation in %s", s)
        .isEqualTo(s.delivered() + s.failed() + s.notSent() + s.pending());
    assertThat(s.pending()).isEqualTo(s.queued() + s.inFlight());
    return s;
  }

  static Set<String> beaconThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("beacon-")).collect(Collectors.toSet());
  }
}
