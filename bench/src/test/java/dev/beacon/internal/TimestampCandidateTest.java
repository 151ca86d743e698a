package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampCandidateTest {
  @Test
  void formatsExactlyLikeTheCoreFormatterAcrossFourCenturies() {
    SplittableRandom r = new SplittableRandom(6);
    long min = Instant.parse("1900-01-01T00:00:00Z").toEpochMilli();
    long max = Instant.parse("2300-01-01T00:00:00Z").toEpochMilli();
    for (int i = 0; i < 200_000; i++) {
      Instant t = Instant.ofEpochMilli(r.nextLong(min, max));
      assertThat(TimestampCandidate.format(t)).isEqualTo(Timestamps.format(t));
    }
    for (String s : new String[] {"1970-01-01T00:00:00.000Z", "2000-02-29T23:59:59.999Z", "2024-12-31T00:00:00.001Z"}) {
      assertThat(TimestampCandidate.format(Instant.parse(s))).isEqualTo(s);
    }
  }
}
