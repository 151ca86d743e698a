package dev.beacon.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * ISO-8601 UTC timestamps with millisecond precision, as Segment expects. Written directly from
 * the epoch milliseconds: the consumer formats one per message, and {@code DateTimeFormatter}
 * (zone rules, a print context and a BigDecimal per call) took about a quarter of its time in the
 * bench module's profile. Not API.
 */
public final class Timestamps {
  private static final DateTimeFormatter MILLIS = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.MILLI_OF_SECOND, 3, 3, true)
      .appendLiteral('Z')
      .toFormatter()
      .withZone(ZoneOffset.UTC);
  /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the years the direct writer handles. */
  private static final long MIN_MILLIS = -62_167_219_200_000L;
  private static final long MAX_MILLIS = 253_402_300_800_000L;

  private Timestamps() {}

  /**
   * Formats an instant as e.g. {@code 2024-01-15T10:30:00.000Z}.
   *
   * @param instant the instant
   * @return the ISO-8601 text in UTC with exactly three fraction digits
   */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < MIN_MILLIS / 1000 || seconds >= MAX_MILLIS / 1000) {
      return MILLIS.format(instant);
    }
    long ms = seconds * 1000 + instant.getNano() / 1_000_000;
    long days = Math.floorDiv(ms, 86_400_000L);
    int msOfDay = (int) Math.floorMod(ms, 86_400_000L);
    // civil_from_days, Howard Hinnant's algorithm (proleptic Gregorian, as java.time)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int d = (int) (doy - (153 * mp + 2) / 5 + 1);
    int m = (int) (mp < 10 ? mp + 3 : mp - 9);
    if (m <= 2) {
      y++;
    }
    byte[] b = new byte[24];
    int year = (int) y;
    b[0] = (byte) ('0' + year / 1000);
    b[1] = (byte) ('0' + year / 100 % 10);
    b[2] = (byte) ('0' + year / 10 % 10);
    b[3] = (byte) ('0' + year % 10);
    b[4] = '-';
    two(b, 5, m);
    b[7] = '-';
    two(b, 8, d);
    b[10] = 'T';
    int secOfDay = msOfDay / 1000;
    two(b, 11, secOfDay / 3600);
    b[13] = ':';
    two(b, 14, secOfDay / 60 % 60);
    b[16] = ':';
    two(b, 17, secOfDay % 60);
    b[19] = '.';
    int milli = msOfDay % 1000;
    b[20] = (byte) ('0' + milli / 100);
    b[21] = (byte) ('0' + milli / 10 % 10);
    b[22] = (byte) ('0' + milli % 10);
    b[23] = 'Z';
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /**
   * The reference formatter the direct writer must match (tests).
   *
   * @param instant the instant
   * @return the text {@code DateTimeFormatter} writes
   */
  static String formatWithJavaTime(Instant instant) {
    return MILLIS.format(instant);
  }

  private static void two(byte[] b, int at, int v) {
    b[at] = (byte) ('0' + v / 10);
    b[at + 1] = (byte) ('0' + v % 10);
  }
}
