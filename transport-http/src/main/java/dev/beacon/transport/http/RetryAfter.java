package dev.beacon.transport.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses an HTTP {@code Retry-After} value (RFC 9110 section 10.2.3): delta-seconds or an
 * HTTP-date. Anything else gives no wait, so the engine falls back to its backoff; the engine
 * also applies Segment's 300 s cap.
 */
final class RetryAfter {
  /** Longest value kept before the engine's own cap; guards the arithmetic against huge numbers. */
  private static final long MAX_SECONDS = 24L * 3600;
  private static final DateTimeFormatter RFC_850 =
      DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(java.time.ZoneOffset.UTC);

  private RetryAfter() {}

  /**
   * Returns the wait the server asked for.
   *
   * @param value the header value, or null
   * @param now the current time, for HTTP-dates
   * @return the wait, or null when absent, malformed, zero or in the past (no wait to honour:
   *     the engine's backoff applies, so a server answering {@code Retry-After: 0} cannot make
   *     the client loop without pause)
   */
  static Duration parse(String value, Instant now) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    if (v.isEmpty()) {
      return null;
    }
    if (isDigits(v)) {
      long seconds = v.length() > 9 ? MAX_SECONDS : Math.min(MAX_SECONDS, Long.parseLong(v));
      return seconds > 0 ? Duration.ofSeconds(seconds) : null;
    }
    Instant at = parseDate(v);
    if (at == null) {
      return null;
    }
    Duration d = Duration.between(now, at);
    if (d.isNegative() || d.isZero()) {
      return null;
    }
    return d.compareTo(Duration.ofSeconds(MAX_SECONDS)) > 0 ? Duration.ofSeconds(MAX_SECONDS) : d;
  }

  private static boolean isDigits(String v) {
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static Instant parseDate(String v) {
    for (DateTimeFormatter f : new DateTimeFormatter[] {DateTimeFormatter.RFC_1123_DATE_TIME, RFC_850, ASCTIME}) {
      try {
        return ZonedDateTime.parse(v, f).toInstant();
      } catch (DateTimeParseException e) {
        // try the next of the three formats RFC 9110 asks recipients to accept
      }
    }
    return null;
  }
}
