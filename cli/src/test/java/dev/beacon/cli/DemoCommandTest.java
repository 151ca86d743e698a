package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code beacon demo}: realistic traffic to an in-process collector, checked message by message. */
class DemoCommandTest {
  @Test
  void theDemoDeliversEveryEventAndSaysSo() {
    Cli.Run r = Cli.beacon("demo", "--events", "5000", "--users", "200");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("collector: http://127.0.0.1:")
        .contains("events: 5000 accepted, 5000 delivered, 0 failed, 0 dropped")
        .containsPattern("check: 5000 of 5000 events arrived, 0 missing, 0 duplicate\\(s\\) — OK")
        .containsPattern("batches: \\d+ requests, 0 retries, mean batch \\d+ events")
        .containsPattern("gzip ratio \\d+\\.\\d:1");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void nonPositiveCountsAreAUsageError() {
    Cli.Run r = Cli.beacon("demo", "--events", "0");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).isEqualTo("beacon: --events, --users and --threads must be positive");
  }
}
