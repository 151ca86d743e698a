package dev.beacon.internal;

/**
 * Recognizes, without {@code DateTimeFormatter}, the spelling of an ISO-8601 timestamp that
 * Segment's libraries send: {@code 2024-01-15T10:30:00Z}, {@code 2024-01-15T10:30:00.123Z},
 * {@code 2024-01-15T11:30:00.123456+01:00}. Not API.
 *
 * <p>Every text it accepts is one {@link MessageCodec#parseTimestamp} accepts too (a valid date,
 * time and offset); it accepts less: seconds left out, lower-case {@code t}/{@code z}, offsets with
 * seconds or of 18 hours, years outside 0000-9999 are valid ISO-8601 too, and are left to
 * {@code MessageCodec.parseTimestamp}, which is the definition.
 */
final class WireTimestamps {
  private WireTimestamps() {}

  /**
   * Whether {@code s} is {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|+HH:mm|-HH:mm)} with a valid date
   * (the proleptic Gregorian calendar, as java.time), hour, minute, second and an offset under 18 hours.
   *
   * @param s the text
   * @return true when the text is a timestamp of that spelling
   */
  static boolean isIsoOffsetDateTime(String s) {
    return isIsoOffsetDateTime(s.toCharArray(), 0, s.length());
  }

  /**
   * {@link #isIsoOffsetDateTime(String)} on characters in a buffer (a parser's, so that no text is made).
   *
   * @param c the buffer
   * @param off where the text starts
   * @param len its length
   * @return true when the text is a timestamp of that spelling
   */
  static boolean isIsoOffsetDateTime(char[] c, int off, int len) {
    Chars s = new Chars(c, off, len);
    int n = len;
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return false;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return false;
    }
    int i = 19;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      int fraction = i - start;
      if (fraction < 1 || fraction > 9) {
        return false;
      }
    }
    if (i == n - 1) {
      return s.charAt(i) == 'Z';
    }
    if (i != n - 6 || (s.charAt(i) != '+' && s.charAt(i) != '-') || s.charAt(i + 3) != ':') {
      return false;
    }
    int offsetHours = digits(s, i + 1, 2);
    int offsetMinutes = digits(s, i + 4, 2);
    return offsetHours >= 0 && offsetHours <= 17 && offsetMinutes >= 0 && offsetMinutes <= 59;
  }

  /**
   * The instant of a timestamp {@link #isIsoOffsetDateTime(String)} recognizes, computed from its
   * fields (days from the civil date, Howard Hinnant's algorithm, as {@link Timestamps} writes them).
   *
   * @param s the text
   * @return the instant, or null when the text is not of that spelling
   */
  static java.time.Instant toInstant(String s) {
    if (!isIsoOffsetDateTime(s)) {
      return null;
    }
    Chars c = new Chars(s.toCharArray(), 0, s.length());
    long year = digits(c, 0, 4);
    int month = digits(c, 5, 2);
    int day = digits(c, 8, 2);
    long seconds = digits(c, 11, 2) * 3600L + digits(c, 14, 2) * 60L + digits(c, 17, 2);
    int i = 19;
    long nanos = 0;
    if (s.charAt(i) == '.') {
      int digits = 0;
      for (i++; i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++, digits++) {
        nanos = nanos * 10 + (s.charAt(i) - '0');
      }
      for (; digits < 9; digits++) {
        nanos *= 10;
      }
    }
    if (s.charAt(i) != 'Z') {
      int offset = digits(c, i + 1, 2) * 3600 + digits(c, i + 4, 2) * 60;
      seconds -= s.charAt(i) == '-' ? -offset : offset;
    }
    // days_from_civil
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = era * 146_097 + doe - 719_468;
    return java.time.Instant.ofEpochSecond(days * 86_400 + seconds, nanos);
  }

  /** A window on a character buffer, read as a string would be. */
  private record Chars(char[] c, int off, int len) {
    char charAt(int i) {
      return c[off + i];
    }
  }

  /** The number written with {@code count} ASCII digits at {@code at}, or -1. */
  private static int digits(Chars s, int at, int count) {
    int v = 0;
    for (int i = at; i < at + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int daysInMonth(int year, int month) {
    switch (month) {
      case 2:
        boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return leap ? 29 : 28;
      case 4:
      case 6:
      case 9:
      case 11:
        return 30;
      default:
        return 31;
    }
  }
}
