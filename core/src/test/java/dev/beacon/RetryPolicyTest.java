package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
