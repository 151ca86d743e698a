package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.spi.SendResult;
import dev.beacon.spi.SendResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract's status table and Retry-After parsing, without a network. */
class ResponseClassificationTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  private static SendResult classify(int status) {
    return ResponseClassifier.classify(status, null, null, "", NOW);
  }

  @ParameterizedTest(name = "{0} is delivered")
  @ValueSource(ints = {200, 201, 202, 204})
  void twoHundredsAreDelivered(int status) {
    assertThat(classify(status).outcome()).isEqualTo(Outcome.DELIVERED);
  }

  @ParameterizedTest(name = "{0} is retryable")
  @ValueSource(ints = {408, 410, 429, 460, 500, 502, 503, 504, 507, 599})
  void transientStatusesAreRetryable(int status) {
    SendResult r = classify(status);
    assertThat(r.outcome()).isEqualTo(Outcome.RETRYABLE);
    assertThat(r.status()).isEqualTo(status);
  }

  @ParameterizedTest(name = "{0} is permanent")
  @ValueSource(ints = {400, 401, 403, 404, 405, 409, 422, 501, 505, 511, 301, 302, 307})
  void otherStatusesArePermanent(int status) {
    assertThat(classify(status).outcome()).isEqualTo(Outcome.PERMANENT);
  }

  @Test
  void fourThirteenIsTooLarge() {
    assertThat(classify(413).outcome()).isEqualTo(Outcome.TOO_LARGE);
  }

  @Test
  void aBadRequestThatSaysTheBodyIsTooLargeIsTooLarge() {
    assertThat(ResponseClassifier.classify(400, null, null, "{\"message\":\"Payload too large\"}", NOW).outcome())
        .isEqualTo(Outcome.TOO_LARGE);
    assertThat(ResponseClassifier.classify(400, null, null, "batch exceeds the 500KB size limit", NOW).outcome())
        .isEqualTo(Outcome.TOO_LARGE);
    assertThat(ResponseClassifier.classify(400, null, null, "{\"message\":\"invalid JSON\"}", NOW).outcome())
        .isEqualTo(Outcome.PERMANENT);
  }

  @Test
  void retryAfterInSecondsIsHonoured() {
    SendResult r = ResponseClassifier.classify(429, "7", null, "", NOW);
    assertThat(r.retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void retryAfterAsAnHttpDateIsHonoured() {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(30).atOffset(ZoneOffset.UTC));
    assertThat(ResponseClassifier.classify(503, date, null, "", NOW).retryAfter()).contains(Duration.ofSeconds(30));
    assertThat(RetryAfter.parse("Thursday, 01-Jan-26 12:00:10 GMT", NOW)).isEqualTo(Duration.ofSeconds(10));
    assertThat(RetryAfter.parse("Thu Jan  1 12:00:20 2026", NOW)).isEqualTo(Duration.ofSeconds(20));
  }

  @ParameterizedTest(name = "Retry-After \"{0}\" gives no wait")
  @ValueSource(strings = {"", "soon", "-5", "1.5", "0", "Wed, 01 Jan 2025 00:00:00 GMT", "12 seconds"})
  void malformedZeroOrPastRetryAfterGivesNoWait(String value) {
    assertThat(ResponseClassifier.classify(429, value, null, "", NOW).retryAfter()).isEmpty();
  }

  @Test
  void hugeRetryAfterIsBoundedBeforeTheEngineCapsIt() {
    assertThat(RetryAfter.parse("99999999999999999999", NOW)).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void retryAfterIsIgnoredOnPermanentAnswers() {
    assertThat(ResponseClassifier.classify(400, "5", null, "", NOW).retryAfter()).isEmpty();
  }

  @Test
  void theDetailQuotesAShortSingleLineExcerptOfTheBody() {
    SendResult r = ResponseClassifier.classify(500, null, null, "line one\nline two " + "x".repeat(500), NOW);
    assertThat(r.detail()).startsWith("response: line one line two").endsWith("...")
        .hasSizeLessThan(ResponseClassifier.MAX_DETAIL_CHARS + 20);
  }

  @Test
  void theRedactorRemovesTheKeyInEveryForm() {
    Redactor r = new Redactor("key123");
    assertThat(r.redact("a key123 b a2V5MTIzOg== c a2V5MTIz d")).isEqualTo("a <redacted> b <redacted> c <redacted> d");
  }
}
