package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.FailureReason;
import dev.beacon.Message;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryAndFailureTest {
  record Report(DeliveryException error, List<Message> messages) {}

  private final List<Report> reports = new CopyOnWriteArrayList<>();

  private Analytics.Builder client(Transport t) {
    return builder(t).flushAt(5).flushInterval(Duration.ofHours(1)).onError((e, m) -> reports.add(new Report(e, m)));
  }

  private static List<String> track5(Analytics a) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Track t = Track.builder("E").userId("u").properties(Map.of("i", i)).build();
      ids.add(t.messageId());
      assertThat(a.enqueue(t)).isTrue();
    }
    return ids;
  }

  @Test
  void retriesTransientFailuresAndDeliversTheSameMessageIds() {
    CapturingTransport capture = new CapturingTransport().failNext(3, Fault.retryable(503));
    try (Analytics a = client(capture).build()) {
      List<String> ids = track5(a);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).extracting(CapturedMessage::messageId).containsExactlyElementsOf(ids);
      Stats s = assertConserved(a);
      assertThat(s.retries()).isEqualTo(3);
      assertThat(s.requests()).isEqualTo(4);
      assertThat(reports).isEmpty();
    }
  }

  @Test
  void honoursRetryAfterWithoutSpendingTheRetryBudget() {
    CapturingTransport capture = new CapturingTransport().failNext(3, Fault.retryAfter(429, Duration.ofMillis(20)));
    try (Analytics a = client(capture).retryPolicy(RetryPolicy.none()).build()) {
      track5(a);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).hasSize(5);
      assertThat(reports).isEmpty();
      assertThat(assertConserved(a).retries()).isEqualTo(3);
    }
  }

  @Test
  void reportsExhaustedRetriesWithTheLastStatus() {
    CapturingTransport capture = new CapturingTransport().failNext(100, Fault.retryable(500));
    RetryPolicy two = RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2)).maxRetries(2).build();
    try (Analytics a = client(capture).retryPolicy(two).build()) {
      List<String> ids = track5(a);
      assertThat(a.flush(WAIT).complete()).isTrue();
      assertThat(reports).hasSize(1);
      assertThat(reports.get(0).error().reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
      assertThat(reports.get(0).error().status()).isEqualTo(500);
      assertThat(reports.get(0).messages()).extracting(Message::messageId).containsExactlyElementsOf(ids);
      Stats s = assertConserved(a);
      assertThat(s.failed(FailureReason.RETRIES_EXHAUSTED)).isEqualTo(5);
      assertThat(s.requests()).isEqualTo(3);
    }
  }

  @Test
  void doesNotRetryAPermanentFailure() {
    CapturingTransport capture = new CapturingTransport().failNext(1, Fault.permanent(400));
    try (Analytics a = client(capture).build()) {
      track5(a);
      assertThat(a.flush(WAIT).isSuccess()).isFalse();
      assertThat(capture.attempts()).isEqualTo(1);
      assertThat(reports).singleElement().satisfies(r -> {
        assertThat(r.error().reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(r.error().status()).isEqualTo(400);
        assertThat(r.messages()).hasSize(5);
      });
      assertThat(assertConserved(a).failed()).isEqualTo(5);
    }
  }

  @Test
  void reportsARefusedWriteKeyAsUnauthorized() {
    CapturingTransport capture = new CapturingTransport().failNext(1, Fault.permanent(401));
    try (Analytics a = client(capture).build()) {
      track5(a);
      a.flush(WAIT);
      assertThat(reports).singleElement().extracting(r -> r.error().reason()).isEqualTo(FailureReason.UNAUTHORIZED);
      assertThat(capture.attempts()).isEqualTo(1);
    }
  }

  @Test
  void splitsATooLargeBatchInHalvesUntilItFits() {
    CapturingTransport capture = new CapturingTransport().failNext(2, Fault.tooLarge());
    try (Analytics a = builder(capture).flushAt(8).flushInterval(Duration.ofHours(1)).onError((e, m) -> reports.add(new Report(e, m))).build()) {
      for (int i = 0; i < 8; i++) {
        a.track("u", "E" + i);
      }
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).extracting(CapturedMessage::event)
          .containsExactly("E0", "E1", "E2", "E3", "E4", "E5", "E6", "E7");
      assertThat(capture.batches()).extracting(List::size).containsExactly(2, 2, 4);
      assertThat(reports).isEmpty();
      assertConserved(a);
    }
  }

  @Test
  void aSingleMessageStillTooLargeGoesToTheErrorCallback() {
    CapturingTransport capture = new CapturingTransport().failNext(10, Fault.tooLarge());
    try (Analytics a = client(capture).flushAt(1).build()) {
      a.track("u", "Huge");
      a.flush(WAIT);
      assertThat(reports).singleElement().satisfies(r -> {
        assertThat(r.error().reason()).isEqualTo(FailureReason.TOO_LARGE);
        assertThat(r.error().status()).isEqualTo(413);
      });
      assertThat(capture.attempts()).isEqualTo(1);
    }
  }

  @Test
  void givesUpWhenTheTotalDeadlinePasses() {
    CapturingTransport capture = new CapturingTransport().failNext(1000, Fault.retryable(503));
    RetryPolicy p = RetryPolicy.builder().baseDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(20))
        .maxRetries(1000).totalDeadline(Duration.ofMillis(100)).jitter(false).build();
    try (Analytics a = client(capture).retryPolicy(p).build()) {
      track5(a);
      a.flush(WAIT);
      assertThat(reports).singleElement().extracting(r -> r.error().reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
      assertConserved(a);
    }
  }

  @Test
  void aTransportThatThrowsIsRetriedNotFatal() {
    AtomicInteger calls = new AtomicInteger();
    CapturingTransport capture = new CapturingTransport();
    Transport flaky = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        if (calls.getAndIncrement() == 0) {
          throw new IllegalStateException("boom");
        }
        return capture.send(batch);
      }
    };
    try (Analytics a = client(flaky).build()) {
      track5(a);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).hasSize(5);
    }
  }

  @Test
  void anAttemptThatNeverAnswersTimesOutAndIsRetried() {
    AtomicInteger calls = new AtomicInteger();
    CapturingTransport capture = new CapturingTransport();
    Transport silentOnce = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        return calls.getAndIncrement() == 0 ? new CompletableFuture<>() : capture.send(batch);
      }

      @Override
      public Duration attemptTimeout() {
        return Duration.ofMillis(100);
      }
    };
    try (Analytics a = client(silentOnce).build()) {
      track5(a);
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).hasSize(5);
      assertThat(a.stats().retries()).isEqualTo(1);
    }
  }

  @Test
  void aThrowingErrorCallbackIsCountedAndNeverEscapes() {
    CapturingTransport capture = new CapturingTransport().failNext(1, Fault.permanent(400));
    try (Analytics a = builder(capture).flushAt(1).onError((e, m) -> {
      throw new RuntimeException("callback bug");
    }).build()) {
      a.track("u", "E1");
      a.flush(WAIT);
      assertThat(a.stats().callbackErrors()).isEqualTo(1);
      a.track("u", "E2");
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(capture.messages()).extracting(CapturedMessage::event).containsExactly("E2");
    }
  }
}
