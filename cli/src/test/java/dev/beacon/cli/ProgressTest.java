package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress display: plain lines when stderr is not a terminal, compact counters beside the bar. */
class ProgressTest {
  @Test
  void countersBesideTheBarAreCompact() {
    assertThat(Progress.compact(9_999)).isEqualTo("9999");
    assertThat(Progress.compact(123_456)).isEqualTo("123k");
    assertThat(Progress.compact(1_234_567)).isEqualTo("1.2M");
  }

  @Test
  void withoutATerminalItWritesPlainLinesToTheGivenStream() {
    assertThat(Progress.stderrIsTerminal()).as("surefire pipes stderr").isFalse();
    StringWriter err = new StringWriter();
    try (Progress p = Progress.start(new PrintWriter(err, true), "import", 100, () -> "long status", () -> "short")) {
      p.message("delivering the last batches...");
      p.println("file:3: invalid JSON");
    }
    assertThat(err.toString().lines())
        .containsExactly("import: delivering the last batches...", "file:3: invalid JSON", "import: done, long status");
  }
}
