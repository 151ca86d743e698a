package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportDryRunTest {
  private static Cli.Run beacon(String... args) {
    return Cli.beacon(args);
  }

  @Test
  void dryRunValidatesEveryLineAndReportsBadOnesWithFileAndLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("events.ndjson");
    Files.write(f, List.of(
        "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":9.5}}",
        "",
        "{\"type\":\"track\",\"event\":\"No User\"}",
        "not json",
        "{\"type\":\"identify\",\"anonymousId\":\"a1\",\"timestamp\":\"2024-01-15T10:30:00Z\"}",
        "{\"type\":\"teleport\",\"userId\":\"u\"}",
        "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"yesterday\"}"));
    Cli.Run r = beacon("import", "--dry-run", "--no-progress", f.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.out()).contains("read 6 line(s): 4 invalid, 2 valid");
    assertThat(r.err())
        .contains(f + ":3: userId or anonymousId is required")
        .contains(f + ":4: invalid JSON")
        .contains(f + ":6: type must be one of")
        .contains(f + ":7: timestamp is not ISO-8601");
  }

  @Test
  void linesWithoutATimestampAreCountedAndWarnedAboutAndStillValidByDefault(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("backfill.ndjson");
    Files.write(f, List.of(
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-01-15T10:30:00Z\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"No Time\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Null Time\",\"timestamp\":null}"));

    Cli.Run r = beacon("import", "--dry-run", "--no-progress", f.toString());

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("read 3 line(s): 0 invalid, 3 valid, 2 without a timestamp");
    assertThat(r.err()).contains("warning: 2 line(s) had no timestamp").contains("--require-timestamp");
  }

  @Test
  void requireTimestampMakesALineWithoutOneInvalid(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("backfill.ndjson");
    Files.write(f, List.of(
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-01-15T10:30:00Z\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"No Time\"}"));

    Cli.Run r = beacon("import", "--dry-run", "--no-progress", "--require-timestamp", f.toString());

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.out()).contains("read 2 line(s): 1 invalid, 1 valid");
    assertThat(r.err()).contains(f + ":2: no timestamp (--require-timestamp)").doesNotContain("warning");
  }

  @Test
  void invalidJsonIsReportedWithItsColumnAndWithoutTheParsersInternals(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("broken.ndjson");
    Files.write(f, List.of("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"",
        "{\"type\":\"track\" \"userId\":\"u\"}"));

    Cli.Run r = beacon("import", "--dry-run", "--no-progress", f.toString());

    assertThat(r.err())
        .contains(f + ":1: invalid JSON at column 41: Unexpected end-of-input")
        .contains("(start marker at column 1)")
        .contains(f + ":2: invalid JSON at column 17: ")
        .doesNotContain("Source").doesNotContain("REDACTED").doesNotContain("StreamReadFeature");
  }

  @Test
  void aCleanFileExitsZero(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("ok.ndjson");
    Files.write(f, List.of("{\"type\":\"alias\",\"userId\":\"u\",\"previousId\":\"a\"}",
        "{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"g\",\"traits\":{\"name\":\"Acme\"}}"));
    Cli.Run r = beacon("import", "--dry-run", "--no-progress", f.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("2 valid");
  }

  @Test
  void strictStopsAtTheFirstInvalidLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.ndjson");
    Files.write(f, List.of("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}", "{}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"After\"}"));
    Cli.Run r = beacon("import", "--dry-run", "--strict", "--no-progress", f.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.out()).contains("read 2 line(s): 1 invalid, 1 valid");
    assertThat(r.err()).contains(":2: ").contains("--strict");
  }

  @Test
  void anUnreadableFileIsOneClearLineWithoutAStackTrace() {
    Cli.Run r = beacon("import", "--dry-run", "--no-progress", "/definitely/not/here.ndjson");
    assertThat(r.exit()).isEqualTo(ExitCodes.FATAL);
    assertThat(r.err()).contains("beacon: cannot read /definitely/not/here.ndjson: no such file")
        .doesNotContain("at dev.beacon");
  }

  @Test
  void linesWithoutAMessageIdGetTheSameStableIdEveryRun() {
    String line = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"timestamp\":\"2024-01-15T10:30:00Z\"}";
    assertThat(ImportCommand.parse(line).messageId()).isEqualTo(ImportCommand.parse(line).messageId())
        .isNotEqualTo(ImportCommand.parse(line.replace("u1", "u2")).messageId());
    assertThat(ImportCommand.parse("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"keep\"}")
        .messageId()).isEqualTo("keep");
  }

  @Test
  void sendDryRunPrintsTheMessageAndRejectsBadInputClearly() {
    Cli.Run ok = beacon("send", "track", "--user-id", "u1", "--event", "Order Completed",
        "--properties", "{\"revenue\": 99.99}", "--dry-run");
    assertThat(ok.exit()).isZero();
    assertThat(ok.out()).contains("\"event\":\"Order Completed\"").contains("\"revenue\":99.99");
    Cli.Run bad = beacon("send", "track", "--user-id", "u1", "--dry-run");
    assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("beacon: event must not be null or blank");
  }
}
