package dev.beacon.engine;

import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.FailureReason;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SyncModeTest {
  @Test
  void aCallReturnsOnlyAfterItsMessageWasDelivered() {
    CapturingTransport capture = new CapturingTransport();
    try (Analytics a = builder(capture).syncMode(true).build()) {
      assertThat(a.track("u", "Order Completed", Map.of("total", 5))).isTrue();
      assertThat(capture.messages()).hasSize(1);
      assertThat(a.identify("u", Map.of("plan", "pro"))).isTrue();
      assertThat(capture.messages()).hasSize(2);
      assertThat(assertConserved(a).delivered()).isEqualTo(2);
    }
  }

  @Test
  void retriesBeforeReturning() {
    CapturingTransport capture = new CapturingTransport().failNext(2, Fault.retryable(503));
    try (Analytics a = builder(capture).syncMode(true).build()) {
      assertThat(a.track("u", "E")).isTrue();
      assertThat(capture.messages()).hasSize(1);
      assertThat(a.stats().retries()).isEqualTo(2);
    }
  }

  @Test
  void aFinalFailureThrowsDeliveryExceptionWithTheStatusAndIsReported() {
    CapturingTransport capture = new CapturingTransport().failNext(1, Fault.permanent(400));
    AtomicInteger reported = new AtomicInteger();
    try (Analytics a = builder(capture).syncMode(true).onError((e, m) -> reported.addAndGet(m.size())).build()) {
      assertThatThrownBy(() -> a.track("u", "E"))
          .isInstanceOfSatisfying(DeliveryException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
            assertThat(e.messageCount()).isEqualTo(1);
          });
      assertThat(reported.get()).isEqualTo(1);
      assertThat(assertConserved(a).failed()).isEqualTo(1);
    }
  }

  @Test
  void aSyncCallInsideTheErrorCallbackDoesNotWaitForItself() {
    CapturingTransport capture = new CapturingTransport().failNext(1, Fault.permanent(400));
    AtomicInteger inner = new AtomicInteger();
    Analytics[] self = new Analytics[1];
    try (Analytics a = builder(capture).syncMode(true).flushTimeout(java.time.Duration.ofMinutes(5))
        .onError((e, m) -> {
          if (inner.getAndIncrement() == 0) {
            self[0].track("u", "From Callback");
          }
        }).build()) {
      self[0] = a;
      assertThatThrownBy(() -> a.track("u", "E")).isInstanceOfSatisfying(DeliveryException.class,
          e -> assertThat(e.reason()).isEqualTo(FailureReason.REJECTED));
      a.flush(java.time.Duration.ofSeconds(10));
    }
    assertThat(capture.messages()).extracting(m -> m.event()).containsExactly("From Callback");
  }
}
