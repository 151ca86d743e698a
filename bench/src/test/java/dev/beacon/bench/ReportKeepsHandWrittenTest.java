package dev.beacon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A regenerated performance page keeps the sections the report does not write. */
class ReportKeepsHandWrittenTest {
  private static final String GENERATED = "# Beacon performance\n\nnew preamble\n\n## Targets (issue 6)\n\nnew targets\n\n"
      + "## Not measured here\n\n- new list\n";

  @Test
  void handWrittenSectionsSurviveInTheirOrderAndGeneratedOnesAreReplaced() {
    String old = "# Beacon performance\n\nold preamble\n\n## Targets (issue 6)\n\nold targets\n\n"
        + "## Reading Segment messages (issue 27)\n\nhand 27\n\n### The reader alone\n\nsub\n\n"
        + "## Not measured here\n\n- old list\n\n"
        + "## The gateway (issue 22)\n\nhand 22\n\n"
        + "<!-- idle-cpu:start -->\n## Idle CPU\n\nidle table\n\n<!-- idle-cpu:end -->\n\nafter the marker\n";

    String page = Report.keepHandWritten(GENERATED, old);

    assertThat(page).startsWith(GENERATED)
        .doesNotContain("old preamble", "old targets", "old list")
        .contains("## Reading Segment messages (issue 27)\n\nhand 27\n\n### The reader alone\n\nsub\n")
        .contains("<!-- idle-cpu:start -->\n## Idle CPU\n\nidle table\n\n<!-- idle-cpu:end -->\n\nafter the marker\n");
    assertThat(page.indexOf("hand 27")).isLessThan(page.indexOf("hand 22"));
    assertThat(page.indexOf("hand 22")).isLessThan(page.indexOf("<!-- idle-cpu:start -->"));
    // The marker moved with its section, not left behind with the gateway's.
    assertThat(page.indexOf("hand 22")).isLessThan(page.indexOf("<!-- idle-cpu:start -->"));
    assertThat(page.split("## Targets", -1)).hasSize(2);
    assertThat(page.split("## Not measured here", -1)).hasSize(2);
    // Regenerating the result again changes nothing.
    assertThat(Report.keepHandWritten(GENERATED, page)).isEqualTo(page);
  }

  @Test
  void aPageWithNothingBeforeIsTheGeneratedPage() {
    assertThat(Report.keepHandWritten(GENERATED, "")).isEqualTo(GENERATED);
  }

  @Test
  void theRealPageKeepsEveryHandWrittenSection() throws Exception {
    String real = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "performance.md"));
    String page = Report.keepHandWritten(GENERATED, real);
    assertThat(page).contains("## Reading Segment messages", "## The gateway (issue 22)", "<!-- idle-cpu:start -->",
        "<!-- idle-cpu:end -->");
  }
}
