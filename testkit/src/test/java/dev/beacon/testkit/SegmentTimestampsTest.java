package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.wire.SegmentRequests;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link SegmentRequests#checkTimestamp} recognizes the spelling libraries send by hand (issue 22:
 * the formatter was 17% of the journal gateway's CPU) and must still answer exactly as Segment's
 * ISO-8601 rule does: texts near that spelling (impossible dates, hours, minutes, seconds and
 * offsets, fractions of 0 to 10 digits, lower-case letters, other offset spellings) are judged
 * against the rule written out here as the specification.
 */
class SegmentTimestampsTest {
  /** The rule as docs/collector.md states it: what {@code SegmentRequests} accepted before the fast path. */
  private static final DateTimeFormatter RULE = new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_LOCAL_DATE)
      .appendLiteral('T')
      .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':').appendValue(ChronoField.MINUTE_OF_HOUR, 2)
      .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2)
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
      .optionalEnd()
      .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
      .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HH", "Z").optionalEnd()
      .toFormatter()
      .withResolverStyle(ResolverStyle.STRICT)
      .withChronology(IsoChronology.INSTANCE);

  private static boolean ruleAccepts(String s) {
    try {
      RULE.parseBest(s, OffsetDateTime::from, LocalDateTime::from);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  @Property(tries = 5_000, seed = "22")
  void answersAsTheIso8601RuleDoes(@ForAll("nearTheLibrarySpelling") String s) {
    assertThat(SegmentRequests.checkTimestamp(s) == null).as(s).isEqualTo(ruleAccepts(s));
  }

  @Test
  void edgesOfTheCalendarAndTheClock() {
    for (String s : new String[] {"2024-02-29T10:30:00Z", "2023-02-29T10:30:00Z", "2000-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-12-31T23:59:59.999999999Z", "2024-12-31T24:00:00Z",
        "2024-01-15T10:60:00Z", "2024-01-15T10:30:60Z", "2024-01-15T10:30:00.Z", "2024-01-15T10:30:00.1234567890Z",
        "2024-01-15T10:30:00+17:59", "2024-01-15T10:30:00+18:00", "2024-01-15T10:30:00-18:01",
        "2024-01-15T10:30:00+01:60", "2024-01-15t10:30:00z", "0000-01-01T00:00:00Z", "2024-00-10T00:00:00Z",
        "2024-13-10T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-15T10:30:00", "2024-01-15T10:30Z",
        "2024-01-15T10:30:00+0100", "2024-01-15T10:30:00+01", "2024-01-15T10:30:00 Z", "2024-01-15T10:30:00Z ",
        "２024-01-15T10:30:00Z", "2024-01-15T10:30:00.1２Z"}) {
      assertThat(SegmentRequests.checkTimestamp(s) == null).as(s).isEqualTo(ruleAccepts(s));
    }
  }

  @Provide
  Arbitrary<String> nearTheLibrarySpelling() {
    Arbitrary<String> year = Arbitraries.oneOf(Arbitraries.integers().between(0, 9999).map(y -> String.format("%04d", y)),
        Arbitraries.of("1900", "2000", "2023", "2024", "2100", "+2024", "20240"));
    Arbitrary<String> month = Arbitraries.integers().between(0, 13).map(m -> String.format("%02d", m));
    Arbitrary<String> day = Arbitraries.integers().between(0, 32).map(d -> String.format("%02d", d));
    Arbitrary<String> hour = Arbitraries.integers().between(0, 25).map(h -> String.format("%02d", h));
    Arbitrary<String> minute = Arbitraries.integers().between(0, 61).map(m -> String.format("%02d", m));
    Arbitrary<String> second = Arbitraries.oneOf(Arbitraries.integers().between(0, 61).map(x -> ":" + String.format("%02d", x)),
        Arbitraries.just(""));
    Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(10)
        .map(f -> "." + f), Arbitraries.just(""));
    Arbitrary<String> offset = Arbitraries.oneOf(Arbitraries.of("Z", "z", "", " ", "+", "Zz"),
        Combinators.combine(Arbitraries.of("+", "-"), Arbitraries.integers().between(0, 19),
            Arbitraries.integers().between(0, 61), Arbitraries.of(":", "", "x"))
            .as((sign, h, m, sep) -> sign + String.format("%02d", h) + sep + String.format("%02d", m)),
        Combinators.combine(Arbitraries.of("+", "-"), Arbitraries.integers().between(0, 19))
            .as((sign, h) -> sign + String.format("%02d", h)));
    Arbitrary<String> t = Arbitraries.of("T", "T", "T", "t", " ");
    return Combinators.combine(year, month, day, t, hour, minute, second, fraction)
        .as((y, mo, d, tt, h, mi, s, f) -> y + "-" + mo + "-" + d + tt + h + ":" + mi + s + (s.isEmpty() ? "" : f))
        .flatMap(head -> offset.map(o -> head + o));
  }
}
