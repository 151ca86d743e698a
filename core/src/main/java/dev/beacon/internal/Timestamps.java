package dev.beacon.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/** ISO-8601 UTC timestamps with millisecond precision, as Segment expects. Not API. */
public final class Timestamps {
  private static final DateTimeFormatter MILLIS = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.MILLI_OF_SECOND, 3, 3, true)
      .appendLiteral('Z')
      .toFormatter()
      .withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /**
   * Formats an instant as e.g. {@code 2024-01-15T10:30:00.000Z}.
   *
   * @param instant the instant
   * @return the ISO-8601 text in UTC with exactly three fraction digits
   */
  public static String format(Instant instant) {
    return MILLIS.format(instant);
  }
}
