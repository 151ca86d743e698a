package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** analytics-python's {@code send = False}: processed and counted, never sent. */
class SendFalseTest {
  @Test
  void flushOnAnEmptyClientReturnsAtOnce() {
    try (Analytics a = Analytics.builder("k").send(false).shutdownHook(false).build()) {
      FlushResult r = a.flush(Duration.ofMinutes(10));
      assertThat(r.complete()).isTrue();
      // "At once": not its 10-minute bound (nor the hour-long interval); a minute leaves room for a
      // busy machine, where 5 s was a tight margin.
      assertThat(r.elapsed()).isLessThan(Duration.ofMinutes(1));
    }
  }

  @Test
  void processesAndCountsMessagesWithoutSendingAndFlushReturnsAtOnce() {
    try (Analytics a = Analytics.builder("k").send(false).flushInterval(Duration.ofHours(1)).shutdownHook(false).build()) {
      for (int i = 0; i < 1000; i++) {
        assertThat(a.track("u" + i, "Order Completed", Map.of("i", i))).isTrue();
      }
      FlushResult r = a.flush(Duration.ofMinutes(10));
      assertThat(r.complete()).isTrue();
      // "At once": not its 10-minute bound (nor the hour-long interval); a minute leaves room for a
      // busy machine, where 5 s was a tight margin.
      assertThat(r.elapsed()).isLessThan(Duration.ofMinutes(1));
      Stats s = a.stats();
      assertThat(s.accepted()).isEqualTo(1000);
      assertThat(s.notSent()).isEqualTo(1000);
      assertThat(s.delivered()).isZero();
      assertThat(s.pending()).isZero();
      assertThat(s.queuedBytes()).isZero();
    }
  }
}
