package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void defaultsFollowSegments2026Rules() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.baseDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.maxRetries()).isEqualTo(10);
    assertThat(p.totalDeadline()).isEqualTo(Duration.ofHours(12));
    assertThat(p.jitter()).isTrue();
  }

  @Test
  void backoffDoublesUpToTheCapWithoutJitter() {
    RetryPolicy p = RetryPolicy.builder().jitter(false).build();
    assertThat(p.backoff(0)).isEqualTo(Duration.ofMillis(500));
    assertThat(p.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.backoff(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.backoff(7)).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.backoff(100)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void backoffNeverWrapsOrThrowsForAnyRetryCount() {
    // Without saturation 500 ms << 56 wrapped to 0: a hot loop of retries (issue 9).
    RetryPolicy p = RetryPolicy.builder().jitter(false).maxRetries(Integer.MAX_VALUE).build();
    Duration previous = Duration.ZERO;
    for (int retry = 0; retry <= 200; retry++) {
      Duration d = p.backoff(retry);
      assertThat(d).as("retry %d", retry).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(p.maxDelay());
      previous = d;
    }
    for (int retry : new int[] {56, 61, 62, 63, 64, 1000, Integer.MAX_VALUE}) {
      assertThat(p.backoff(retry)).as("retry %d", retry).isEqualTo(Duration.ofSeconds(60));
    }
    assertThat(p.backoff(-1)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void backoffSaturatesDelaysBeyondLongNanos() {
    // Duration.toNanos() throws beyond ~292 years; such a cap means "never stop doubling".
    RetryPolicy p = RetryPolicy.builder().jitter(false).baseDelay(Duration.ofSeconds(1))
        .maxDelay(ChronoUnit.FOREVER.getDuration()).build();
    assertThat(p.backoff(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.backoff(10)).isEqualTo(Duration.ofSeconds(1024));
    assertThat(p.backoff(33)).isEqualTo(Duration.ofSeconds(1L << 33));
    assertThat(p.backoff(34)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE)); // 2^34 s is past it
    assertThat(p.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
    RetryPolicy huge = RetryPolicy.builder().baseDelay(Duration.ofSeconds(Long.MAX_VALUE))
        .maxDelay(Duration.ofSeconds(Long.MAX_VALUE)).build();
    for (int retry : new int[] {0, 1, 63, Integer.MAX_VALUE}) {
      assertThat(huge.backoff(retry)).isBetween(Duration.ofNanos(Long.MAX_VALUE / 2), Duration.ofNanos(Long.MAX_VALUE));
    }
  }

  @Test
  void jitteredBackoffStaysBetweenHalfAndAllOfTheStep() {
    RetryPolicy p = RetryPolicy.defaults();
    for (int i = 0; i < 1000; i++) {
      Duration d = p.backoff(2);
      assertThat(d).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
    }
  }

  @Test
  void rejectsNonsenseSettingsNamingTheOption() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxRetries(-1)).hasMessageContaining("maxRetries").hasMessageContaining("-1");
    assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ZERO)).hasMessageContaining("baseDelay");
    assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ofSeconds(5)).maxDelay(Duration.ofSeconds(1)).build())
        .hasMessageContaining("maxDelay");
  }
}
