package dev.beacon.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A candidate replacement for {@link Timestamps#format(Instant)}, kept in bench as evidence for a
 * suggested core change: the consumer spends about a quarter of its time in
 * {@code DateTimeFormatter} (a ZoneRules, a BigDecimal and a print context per call). This writes
 * {@code uuuu-MM-ddTHH:mm:ss.SSSZ} from the epoch milliseconds directly (civil-from-days, Howard
 * Hinnant's algorithm), for years 0000 to 9999. Bench code, not API.
 */
public final class TimestampCandidate {
  private TimestampCandidate() {}

  /**
   * Formats like {@link Timestamps#format(Instant)}.
   *
   * @param instant an instant in years 0000 to 9999
   * @return e.g. {@code 2026-11-28T12:00:00.000Z}
   */
  public static String format(Instant instant) {
    long ms = instant.toEpochMilli();
    long days = Math.floorDiv(ms, 86_400_000L);
    int msOfDay = (int) Math.floorMod(ms, 86_400_000L);
    // civil_from_days
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

  private static void two(byte[] b, int at, int v) {
    b[at] = (byte) ('0' + v / 10);
    b[at + 1] = (byte) ('0' + v % 10);
  }
}
