package dev.beacon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 15: a Stats in a log line shows what happened, not a wall of zeros. */
class StatsToStringTest {
  private static Map<DropReason, Long> noDrops() {
    Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      m.put(r, 0L);
    }
    return m;
  }

  private static Map<FailureReason, Long> failures(FailureReason reason, long n) {
    Map<FailureReason, Long> m = new EnumMap<>(FailureReason.class);
    for (FailureReason r : FailureReason.values()) {
      m.put(r, r == reason ? n : 0L);
    }
    return m;
  }

  @Test
  void showsOnlyTheNonZeroCountersAndReasonsInDeclarationOrder() {
    Stats s = new Stats(100, 0, 98, 2, 0, 0, 0, 0, 0, noDrops(), failures(FailureReason.REJECTED, 2),
        1, 1, 0, 0, 0, 0, false, 0, 0, 0);

    assertThat(s).hasToString(
        "Stats[accepted=100, delivered=98, failed=2, failedByReason={REJECTED=2}, batches=1, requests=1]");
  }

  @Test
  void aDegradedSpoolIsShownAndAFreshClientSaysAllZero() {
    Stats degraded = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, noDrops(), failures(FailureReason.SHUTDOWN, 0),
        0, 0, 0, 0, 0, 0, true, 0, 3, 2);
    Stats fresh = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, noDrops(), failures(FailureReason.SHUTDOWN, 0),
        0, 0, 0, 0, 0, 0, false, 0, 0, 0);

    assertThat(degraded).hasToString("Stats[spoolDegraded=true, spoolSyncTimeouts=3, spoolLockBypasses=2]");
    assertThat(fresh).hasToString("Stats[all zero]");
  }
}
