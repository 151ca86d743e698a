package dev.beacon.transport.http;

import dev.beacon.spi.SendResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Turns one HTTP answer into a {@link SendResult}, following the contract's 2026 rules: 2xx
 * delivered; network errors, timeouts, 408, 410, 429, 460 and 5xx other than 501, 505 and 511
 * retried (honouring {@code Retry-After}); 413, and a 400 whose body says the payload is too
 * large, split by the engine; everything else permanent.
 */
final class ResponseClassifier {
  /** The most characters of a response body quoted in a result's detail. */
  static final int MAX_DETAIL_CHARS = 200;

  private ResponseClassifier() {}

  /**
   * Classifies a response.
   *
   * @param status the HTTP status
   * @param retryAfter the {@code Retry-After} header, or null
   * @param location the {@code Location} header, or null
   * @param body the start of the response body (may be empty)
   * @param now the current time, for HTTP-date {@code Retry-After} values
   * @return the result; its detail quotes the body, to be redacted by the caller
   */
  static SendResult classify(int status, String retryAfter, String location, String body, Instant now) {
    if (status >= 200 && status < 300) {
      return SendResult.delivered(status);
    }
    String excerpt = excerpt(body);
    String detail = excerpt.isEmpty() ? "" : "response: " + excerpt;
    if (status == 413) {
      return SendResult.tooLarge(status, detail.isEmpty() ? "payload too large" : detail);
    }
    if (status == 400 && saysTooLarge(body)) {
      return SendResult.tooLarge(status, detail);
    }
    if (isRetryable(status)) {
      Duration wait = RetryAfter.parse(retryAfter, now);
      return SendResult.retryable(status, wait, detail, null);
    }
    if (status == 401 || status == 403) {
      return SendResult.permanent(status, "the write key was refused" + (detail.isEmpty() ? "" : "; " + detail), null);
    }
    if (status >= 300 && status < 400) {
      return SendResult.permanent(status, "redirect not followed" + (location == null ? "" : " (Location: "
          + excerpt(location) + ")") + "; point the endpoint at the final https:// URI", null);
    }
    return SendResult.permanent(status, detail, null);
  }

  /** The contract's retryable statuses. */
  static boolean isRetryable(int status) {
    switch (status) {
      case 408:
      case 410:
      case 429:
      case 460:
        return true;
      case 501:
      case 505:
      case 511:
        return false;
      default:
        return status >= 500 && status <= 599;
    }
  }

  /**
   * Whether a 400 body says the request was refused for its size. Segment answers 400 for the
   * 32 KB / 500 KB limits; the wording varies, so this looks for the usual phrases.
   */
  static boolean saysTooLarge(String body) {
    if (body == null || body.isEmpty()) {
      return false;
    }
    String b = body.toLowerCase(Locale.ROOT);
    return b.contains("too large") || b.contains("too big") || b.contains("payload size")
        || b.contains("request entity") || b.contains("exceeds") && (b.contains("size") || b.contains("limit")
        || b.contains("kb"));
  }

  /** One line, at most {@link #MAX_DETAIL_CHARS} printable characters. */
  static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(body.length(), MAX_DETAIL_CHARS + 3));
    for (int i = 0; i < body.length() && b.length() < MAX_DETAIL_CHARS; i++) {
      char c = body.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    String s = b.toString().trim();
    return body.length() > MAX_DETAIL_CHARS ? s + "..." : s;
  }
}
