package dev.beacon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Property(tries = 5000)
  void theDirectWriterMatchesJavaTimeForEveryMillisecondOfYears0000To9999(
      @ForAll @LongRange(min = -62_167_219_200_000L, max = 253_402_300_799_999L) long millis,
      @ForAll @LongRange(min = 0, max = 999_999) long extraNanos) {
    Instant i = Instant.ofEpochMilli(millis).plusNanos(extraNanos);
    assertThat(Timestamps.format(i)).isEqualTo(Timestamps.formatWithJavaTime(i));
  }

  @Test
  void edgesAndFarDatesAgree() {
    for (String s : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00.5Z",
        "2024-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"}) {
      Instant i = Instant.parse(s);
      assertThat(Timestamps.format(i)).isEqualTo(Timestamps.formatWithJavaTime(i));
    }
    Instant far = Instant.parse("+12345-01-01T00:00:00Z");
    assertThat(Timestamps.format(far)).isEqualTo(Timestamps.formatWithJavaTime(far));
    assertThat(Timestamps.format(Instant.parse("2024-01-15T10:30:00Z"))).isEqualTo("2024-01-15T10:30:00.000Z");
  }
}
