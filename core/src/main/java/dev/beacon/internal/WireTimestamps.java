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
