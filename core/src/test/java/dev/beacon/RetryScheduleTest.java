package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.RetryPolicy.Schedule.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link RetryPolicy.Schedule}, the one retry implementation the client's dispatcher and the Kafka
 * relay share: the backoff sequence, jitter bounds, {@code Retry-After}, the retry budget, the
 * total deadline, and a wait that a halt or an interrupt ends at once. Times are given explicitly
 * ({@code nowNanos}); nothing here depends on how fast the machine is.
 */
class RetryScheduleTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  private static RetryPolicy noJitter(int maxRetries) {
    return RetryPolicy.builder().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1))
        .maxRetries(maxRetries).totalDeadline(Duration.ofHours(1)).jitter(false).build();
  }

  @Test
  void backoffDoublesToTheCapThenTheRetriesAreExhausted() {
    RetryPolicy.Schedule s = noJitter(6).start(0);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      assertThat(s.onRetryableFailure(null, 0)).isEqualTo(Verdict.RETRY);
      delays.add(s.delayNanos() / MS);
    }
    assertThat(delays).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
    assertThat(s.retries()).isEqualTo(6);
    assertThat(s.onRetryableFailure(null, 0)).isEqualTo(Verdict.RETRIES_EXHAUSTED);
  }

  @Test
  void noRetriesMeansTheFirstFailureIsFinal() {
    assertThat(RetryPolicy.none().start(0).onRetryableFailure(null, 0)).isEqualTo(Verdict.RETRIES_EXHAUSTED);
  }

  @Test
  void jitteredDelaysStayBetweenHalfAndAllOfEachStep() {
    RetryPolicy policy = RetryPolicy.builder().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1))
        .maxRetries(5).build();
    long[] steps = {100 * MS, 200 * MS, 400 * MS, 800 * MS, 1000 * MS};
    for (int run = 0; run < 500; run++) {
      RetryPolicy.Schedule s = policy.start(0);
      for (long step : steps) {
        assertThat(s.onRetryableFailure(null, 0)).isEqualTo(Verdict.RETRY);
        assertThat(s.delayNanos()).isBetween(step / 2, step);
      }
    }
  }

  @Test
  void retryAfterIsHonouredCappedAndNotCountedAsARetry() {
    RetryPolicy.Schedule s = noJitter(1).start(0);
    assertThat(s.onRetryableFailure(Duration.ofSeconds(3), 0)).isEqualTo(Verdict.RETRY);
    assertThat(s.delayNanos()).isEqualTo(3 * S);
    assertThat(s.onRetryableFailure(Duration.ofDays(2), 0)).isEqualTo(Verdict.RETRY);
    assertThat(s.delayNanos()).isEqualTo(RetryPolicy.MAX_RETRY_AFTER.toNanos());
    assertThat(s.retries()).isZero();
    // The one counted retry is still there.
    assertThat(s.onRetryableFailure(null, 0)).isEqualTo(Verdict.RETRY);
    assertThat(s.onRetryableFailure(null, 0)).isEqualTo(Verdict.RETRIES_EXHAUSTED);
  }

  @Test
  void aZeroOrNegativeRetryAfterIsAnOrdinaryCountedBackoff() {
    // A server answering Retry-After: 0 forever must not make a client retry without pause.
    RetryPolicy.Schedule s = noJitter(2).start(0);
    assertThat(s.onRetryableFailure(Duration.ZERO, 0)).isEqualTo(Verdict.RETRY);
    assertThat(s.delayNanos()).isEqualTo(100 * MS);
    assertThat(s.onRetryableFailure(Duration.ofSeconds(-5), 0)).isEqualTo(Verdict.RETRY);
    assertThat(s.delayNanos()).isEqualTo(200 * MS);
    assertThat(s.onRetryableFailure(Duration.ZERO, 0)).isEqualTo(Verdict.RETRIES_EXHAUSTED);
  }

  @Test
  void aRetryThatWouldStartPastTheTotalDeadlineIsFinal() {
    RetryPolicy policy = RetryPolicy.builder().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMillis(100))
        .totalDeadline(Duration.ofSeconds(10)).jitter(false).build();
    long start = 5 * S; // any origin of the nanoTime clock
    RetryPolicy.Schedule s = policy.start(start);
    assertThat(s.onRetryableFailure(null, start + 9_900 * MS)).isEqualTo(Verdict.RETRY); // starts at 10 s
    assertThat(s.onRetryableFailure(null, start + 9_901 * MS)).isEqualTo(Verdict.DEADLINE_EXCEEDED);
    // A Retry-After counts against the deadline too.
    assertThat(policy.start(start).onRetryableFailure(Duration.ofSeconds(11), start))
        .isEqualTo(Verdict.DEADLINE_EXCEEDED);
  }

  @Test
  void hugeSettingsNeitherOverflowNorThrow() {
    RetryPolicy policy = RetryPolicy.builder().baseDelay(Duration.ofDays(365 * 1000L))
        .maxDelay(Duration.ofDays(365 * 1000L)).totalDeadline(Duration.ofDays(365 * 1000L)).jitter(false).build();
    RetryPolicy.Schedule s = policy.start(Long.MAX_VALUE - 10);
    assertThat(s.onRetryableFailure(null, Long.MIN_VALUE + 10)).isEqualTo(Verdict.DEADLINE_EXCEEDED);
  }

  @Test
  void awaitDelayReturnsTrueOnceTheDelayPassed() throws InterruptedException {
    RetryPolicy.Schedule s = RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(1))
        .jitter(false).build().start(System.nanoTime());
    assertThat(s.onRetryableFailure(null)).isEqualTo(Verdict.RETRY);
    assertThat(s.awaitDelay(new CountDownLatch(1))).isTrue();
  }

  @Test
  void aHaltEndsTheWaitAtOnce() throws Exception {
    RetryPolicy.Schedule s = noJitter(3).start(System.nanoTime());
    assertThat(s.onRetryableFailure(RetryPolicy.MAX_RETRY_AFTER)).isEqualTo(Verdict.RETRY); // a 300 s wait
    CountDownLatch halt = new CountDownLatch(1);
    CountDownLatch waiting = new CountDownLatch(1);
    AtomicReference<Boolean> retry = new AtomicReference<>();
    Thread t = new Thread(() -> {
      waiting.countDown();
      try {
        retry.set(s.awaitDelay(halt));
      } catch (InterruptedException e) {
        retry.set(null);
      }
    });
    t.start();
    waiting.await();
    halt.countDown();
    t.join(TimeUnit.SECONDS.toMillis(60)); // far less than the 300 s delay
    assertThat(t.isAlive()).as("still waiting after the halt").isFalse();
    assertThat(retry.get()).isFalse();
  }

  @Test
  void anInterruptEndsTheWaitAtOnce() {
    RetryPolicy.Schedule s = noJitter(3).start(System.nanoTime());
    assertThat(s.onRetryableFailure(RetryPolicy.MAX_RETRY_AFTER)).isEqualTo(Verdict.RETRY);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> s.awaitDelay(new CountDownLatch(1))).isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}
