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
        .containsPattern("gzip ratio \\d+\\.\\d:1")
        .containsPattern("cpu: \\d+\\.\\d s over \\d+\\.\\d+ s on \\d+ core\\(s\\) \\(\\d+% of the machine.*\\): producers"
            + " \\d+\\.\\d s, Beacon's engine \\(batching, serialization, gzip\\) \\d+\\.\\d s, in-process collector"
            + " \\(parsing, validating\\) \\d+\\.\\d s, the JVM \\(JIT, GC\\) and HTTP client \\d+\\.\\d s")
        .containsPattern("bottleneck: (the producers|the JVM|the in-process collector|Beacon's engine)");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void nonPositiveCountsAreAUsageError() {
    Cli.Run r = Cli.beacon("demo", "--events", "0");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).isEqualTo("beacon: --events, --users and --threads must be positive");
  }

  @Test
  void theBottleneckIsNamedFromWhereTheTimeAndTheCpuWent() {
    long s = 1_000_000_000L;
    assertThat(DemoCommand.bottleneck(0.1, s, 2 * s, 3 * s, true))
        .startsWith("the producers: they spent 10% of their time inside the calls")
        .contains("calls/s is Beacon's accept rate");
    assertThat(DemoCommand.bottleneck(0.9, s, 3 * s, 2 * s, true))
        .startsWith("the in-process collector").contains("90% of their time waiting", "not Beacon's accept rate");
    assertThat(DemoCommand.bottleneck(0.9, 3 * s, s, 2 * s, true)).startsWith("Beacon's engine");
    assertThat(DemoCommand.bottleneck(0.9, s, s, 3 * s, true)).startsWith("the JVM sharing the cores");
    assertThat(DemoCommand.bottleneck(0.9, s, 0, 3 * s, false)).startsWith("delivery to the endpoint");
  }
}
