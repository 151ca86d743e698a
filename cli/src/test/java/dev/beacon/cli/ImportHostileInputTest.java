package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.internal.WireRules;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 26, items 1, 7, 8, 10: input files and checkpoints {@code beacon import} did not write. */
class ImportHostileInputTest {
  private static final String KEY = "hostile-import-key";
  private static final String GOOD = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Good\","
      + "\"timestamp\":\"2024-01-15T10:30:00Z\"}";

  @TempDir Path dir;

  @Test
  void aLineWithAHugeNumericIdIsOneInvalidLineNotTheEndOfTheRun() throws Exception {
    Path f = dir.resolve("ids.ndjson");
    Files.write(f, List.of(GOOD, "{\"type\":\"identify\",\"userId\":1e2147483647,\"messageId\":\"x\"}",
        "{\"type\":\"identify\",\"userId\":1e999999999}", "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\","
            + "\"properties\":{\"x\":1.5e-2147483648}}", GOOD));
    Cli.Run r = Cli.beacon("import", "--dry-run", "--no-progress", f.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.out()).contains("read 5 line(s): 3 invalid, 2 valid");
    assertThat(r.err()).contains(f + ":2: userId: the number 1E+2147483647 is out of range")
        .contains(f + ":3: userId: the number 1E+999999999 is out of range")
        .contains(f + ":4: properties.x: the number 1.5e-2147483648 is out of range");
  }

  /**
   * A property of {@code 1e2147483647} passed validation and then made the tracking plan's
   * {@code multipleOf} throw ArithmeticException: {@code beacon validate} ended with exit 1 and
   * no summary. The number is now an invalid line; numbers at the edge of the range (1e1000,
   * 1e-1000) are checked by the plan as usual.
   */
  @Test
  void hugePropertyNumbersAreInvalidLinesNotAnAbortedPlanCheck() throws Exception {
    Path plan = dir.resolve("plan.json");
    Files.writeString(plan, """
        {"tracking_plan": {"display_name": "Shop", "rules": {"events": [
          {"name": "Order Completed", "version": 1, "rules": {"type": "object", "properties": {
            "properties": {"type": "object", "properties": {"a": {"type": "integer"},
              "b": {"type": "number", "maximum": 10, "multipleOf": 0.5}}}}}}]}}}""");
    Path f = dir.resolve("numbers.ndjson");
    String order = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Order Completed\",\"properties\":";
    Files.write(f, List.of(order + "{\"b\":1e2147483647}}", order + "{\"a\":1e-2147483647}}",
        order + "{\"b\":2.5}}", order + "{\"b\":1e1000,\"a\":1e-1000}}", order + "{\"b\":3.3e-1000}}"));
    Cli.Run r = Cli.beacon("validate", "--plan", plan.toString(), f.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.out()).contains(f + ":1: properties.b: the number 1E+2147483647 is out of range")
        .contains(f + ":2: properties.a: the number 1E-2147483647 is out of range")
        .contains("checked 3 message(s) in 1 file(s) against 'Shop': 1 conform, 2 with violations (3 violation(s)),"
            + " 2 invalid line(s)");
  }

  @Test
  void aLineOverTheLimitIsCountedInvalidAndTheLinesAroundItAreRead() throws Exception {
    Path f = dir.resolve("long.ndjson");
    try (var out = Files.newOutputStream(f)) {
      out.write((GOOD + "\n{\"type\":\"track\",\"userId\":\"u\",\"event\":\"").getBytes(StandardCharsets.UTF_8));
      byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 40; i++) { // 2.5 MiB
        out.write(chunk);
      }
      out.write(("\"}\n" + GOOD + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Cli.Run r = Cli.beacon("import", "--dry-run", "--no-progress", f.toString());
    assertThat(r.out()).as(r.all()).contains("read 3 line(s): 1 invalid, 2 valid");
    assertThat(r.err()).contains(f + ":2: the line is ").contains("a line may have at most "
        + WireRules.MAX_NDJSON_LINE_BYTES);
  }

  @Test
  void theBoundedReaderNeverHoldsMoreThanItsLimitOfALine() throws Exception {
    // 64 MB without a newline, made on the fly, then a short line: the reader keeps 100 bytes.
    long big = 64L * 1024 * 1024;
    InputStream endless = new InputStream() {
      long left = big;
      int tail = 0;
      final byte[] rest = "\nshort\r\n".getBytes(StandardCharsets.US_ASCII);

      @Override
      public int read() {
        if (left > 0) {
          left--;
          return 'a';
        }
        return tail < rest.length ? rest[tail++] : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) throws java.io.IOException {
        if (left > 0) {
          int n = (int) Math.min(len, left);
          java.util.Arrays.fill(b, off, off + n, (byte) 'a');
          left -= n;
          return n;
        }
        return super.read(b, off, len);
      }
    };
    NdjsonLines lines = new NdjsonLines(endless, 100);
    NdjsonLines.Line first = lines.next();
    assertThat(first.text()).isNull();
    assertThat(first.problem()).isEqualTo("the line is " + big + " bytes; a line may have at most 100");
    NdjsonLines.Line second = lines.next();
    assertThat(second.number()).isEqualTo(2);
    assertThat(second.text()).isEqualTo("short");
    assertThat(lines.next()).isNull();
  }

  @Test
  void aLineThatIsNotUtf8IsInvalidAndAByteOrderMarkIsSkipped() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    b.write((GOOD + "\n").getBytes(StandardCharsets.UTF_8));
    b.write("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"".getBytes(StandardCharsets.UTF_8));
    b.write(new byte[] {(byte) 0xFF, (byte) 0xFE});
    b.write("\"}\n".getBytes(StandardCharsets.UTF_8));
    NdjsonLines lines = new NdjsonLines(new ByteArrayInputStream(b.toByteArray()), 1000);
    assertThat(lines.next().text()).isEqualTo(GOOD);
    assertThat(lines.next().problem()).isEqualTo("the line is not valid UTF-8");
  }

  @Test
  void controlCharactersFromTheInputAreEscapedBeforeTheyReachTheTerminal() throws Exception {
    Path f = dir.resolve("controls.ndjson");
    Files.write(f, List.of("{\"type\":\"\\u001b[2J\\nfile:99: forged\",\"userId\":\"u\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"\\u001b]0;title\\u0007\"}"));
    Cli.Run r = Cli.beacon("import", "--dry-run", "--no-progress", f.toString());
    assertThat(r.all()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContainPattern("(?m)^file:99:");
    assertThat(r.err()).contains(f + ":1: type must be one of").contains("\\u001b[2J\\nfile:99: forged")
        .contains(f + ":2: timestamp is not ISO-8601 with a zone: \\u001b]0;title\\u0007");
  }

  @Test
  void theCollectPrintoutEscapesEventNames() {
    String line = CollectCommand.summary("/v1/track", List.of(new CapturedMessage(java.util.Map.of(
        "type", "track", "event", "\u001b[2J\nforged", "userId", "u"))));
    assertThat(line).doesNotContain("\u001b").doesNotContain("\n").contains("\\u001b[2J\\nforged");
  }

  @Test
  void aCheckpointThatIsASymlinkOrTooLongOrNegativeCountsAsNone() throws Exception {
    Path target = dir.resolve("elsewhere");
    Files.writeString(target, "12");
    Path link = dir.resolve("link.line");
    Files.createSymbolicLink(link, Path.of("/dev/zero"));
    assertThat(new Checkpoints.Entry(link).linesDone()).isZero();
    Path toFile = dir.resolve("tofile.line");
    Files.createSymbolicLink(toFile, target);
    assertThat(new Checkpoints.Entry(toFile).linesDone()).isZero();
    Path padded = dir.resolve("padded.line");
    Files.writeString(padded, "7" + " ".repeat(100));
    assertThat(new Checkpoints.Entry(padded).linesDone()).isZero();
    Path negative = dir.resolve("negative.line");
    Files.writeString(negative, "-5");
    assertThat(new Checkpoints.Entry(negative).linesDone()).isZero();
    Path fine = dir.resolve("fine.line");
    Files.writeString(fine, "12");
    assertThat(new Checkpoints.Entry(fine).linesDone()).isEqualTo(12);
  }

  /** A checkpoint past the end of the file skipped every line; now the file is read again. */
  @Test
  void aCheckpointPastTheEndOfTheFileMakesTheImportReadItAgainFromTheStart() throws Exception {
    Path f = dir.resolve("three.ndjson");
    Files.write(f, List.of(GOOD.replace("Good", "One"), GOOD.replace("Good", "Two"), GOOD.replace("Good", "Three")));
    Path spool = dir.resolve("spool");
    new Checkpoints(spool.resolve("import-checkpoints")).entry(f).save(1_000_000);
    try (CollectorServer collector = CollectorServer.builder().writeKey(KEY).build().start()) {
      Cli.Run r = Cli.beacon("import", "--no-progress", "--spool", spool.toString(), "--endpoint",
          collector.uri().toString(), "--write-key-file", Cli.keyFile(dir, KEY).toString(), f.toString());
      assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.OK);
      assertThat(r.err()).contains("says 1000000 line(s) were imported but the file has 3; reading it again");
      assertThat(collector.awaitMessages(3, Duration.ofSeconds(60))).extracting(CapturedMessage::event)
          .containsExactlyInAnyOrder("One", "Two", "Three");
      assertThat(r.out()).contains("read 3 line(s): 0 invalid, 3 accepted").doesNotContain("skipped");
    }
  }
}
