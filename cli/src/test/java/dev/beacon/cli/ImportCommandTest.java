package dev.beacon.cli;

import static dev.beacon.cli.Cli.beacon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beacon import} against a real local collector: counts, exit codes, what arrives. */
class ImportCommandTest {
  private static final String KEY = "import-test-key";

  @TempDir Path dir;
  private CollectorServer collector;
  private Path keyFile;

  @BeforeEach
  void start() throws Exception {
    collector = CollectorServer.builder().writeKey(KEY).build().start();
    keyFile = Cli.keyFile(dir, KEY);
  }

  @AfterEach
  void stop() {
    collector.close();
  }

  private Cli.Run importFiles(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("import", "--no-progress",
        "--endpoint", collector.uri().toString(), "--write-key-file", keyFile.toString()));
    args.addAll(List.of(extra));
    return beacon(args.toArray(String[]::new));
  }

  private Set<String> idsAtCollector() {
    return collector.messages().stream().map(CapturedMessage::messageId).collect(Collectors.toSet());
  }

  @Test
  void deliversExactlyTheValidLinesReportsTheInvalidOnesWithFileAndLineAndExitsThree() throws Exception {
    String withoutId = "{\"type\":\"track\",\"userId\":\"u3\",\"event\":\"No Id\",\"timestamp\":\"2024-01-15T10:30:00Z\"}";
    Path f = dir.resolve("mixed.ndjson");
    Files.write(f, List.of(
        "{\"messageId\":\"t-1\",\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":9.5}}",
        "{\"messageId\":\"bad-2\",\"type\":\"track\",\"event\":\"No User\"}",
        "{\"messageId\":\"t-3\",\"type\":\"identify\",\"userId\":\"u2\",\"traits\":{\"plan\":\"premium\"}}",
        "{not json",
        "",
        withoutId,
        "{\"messageId\":\"bad-7\",\"type\":\"teleport\",\"userId\":\"u\"}"));

    Cli.Run r = importFiles(f.toString());

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.out()).contains("read 6 line(s): 3 invalid, 3 accepted")
        .contains("delivered 3, failed 0, pending 0, refused 0");
    assertThat(r.err()).contains(f + ":2: userId or anonymousId is required")
        .contains(f + ":4: invalid JSON").contains(f + ":7: type must be one of")
        .doesNotContain(":1:").doesNotContain(":3:").doesNotContain(":5:").doesNotContain(":6:");
    assertThat(collector.messages()).hasSize(3);
    assertThat(idsAtCollector()).containsExactlyInAnyOrder("t-1", "t-3", ImportCommand.parse(withoutId).messageId());
  }

  @Test
  void aCompleteLineIsSentAsItIsWithItsOwnLibraryAndEveryField() throws Exception {
    // Issue 27: a complete line goes to the engine as its bytes (the raw entry), not decoded and
    // written again by Beacon's serializer, which would put beacon-java as the library and drop sentAt.
    String line = "{\"messageId\":\"c-1\",\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Exported\","
        + "\"timestamp\":\"2024-01-15T10:30:00.250Z\",\"sentAt\":\"2024-01-15T10:30:01Z\","
        + "\"properties\":{\"n\":{\"deep\":[1,2]}},"
        + "\"context\":{\"library\":{\"name\":\"analytics-python\",\"version\":\"2.3.0\"}}}";
    Path f = dir.resolve("complete.ndjson");
    Files.write(f, List.of("  " + line + "\t"));

    Cli.Run r = importFiles(f.toString());

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("read 1 line(s): 0 invalid, 1 accepted").contains("delivered 1");
    CapturedMessage m = collector.messages().get(0);
    assertThat(m.get("context.library.name")).isEqualTo("analytics-python");
    assertThat(m.json()).containsEntry("sentAt", "2024-01-15T10:30:01Z")
        .containsEntry("timestamp", "2024-01-15T10:30:00.250Z");
    assertThat(m.get("properties.n.deep")).isEqualTo(List.of(1, 2));
  }

  @Test
  void aLineWithoutALibraryGetsBeaconsInsertedAndKeepsEveryFieldItHad() throws Exception {
    // Issue 27: completing a line inserts what it lacks into its bytes; before, the line was written
    // again the way Beacon writes a message, which dropped sentAt and every field Beacon does not know.
    String line = "{\"messageId\":\"l-1\",\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Exported\","
        + "\"timestamp\":\"2024-01-15T10:30:00.250Z\",\"sentAt\":\"2024-01-15T10:30:01Z\",\"origin\":{\"batch\":7},"
        + "\"context\":{\"ip\":\"198.51.100.7\"}}";
    Path f = dir.resolve("nolib.ndjson");
    Files.write(f, List.of(line));

    Cli.Run r = importFiles(f.toString());

    assertThat(r.exit()).as(r.all()).isZero();
    CapturedMessage m = collector.messages().get(0);
    assertThat(m.get("context.library.name")).isEqualTo("beacon-java");
    assertThat(m.get("context.ip")).isEqualTo("198.51.100.7");
    assertThat(m.json()).containsEntry("sentAt", "2024-01-15T10:30:01Z").containsEntry("messageId", "l-1");
    assertThat(m.get("origin.batch")).isEqualTo(7);
  }

  @Test
  void withAPlanEveryCompleteLineIsStillCheckedAndDroppedByIt() throws Exception {
    // The raw entry is for imports without a plan: the plan's plugin needs each line as a Message.
    Path plan = dir.resolve("plan.json");
    Files.writeString(plan, """
        {"tracking_plan": {"display_name": "Shop", "rules": {"events": [
          {"name": "Order Completed", "version": 1, "rules": {"type": "object", "properties": {
            "properties": {"type": "object", "properties": {"a": {"type": "integer"}}}}}}]}}}""");
    String order = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Order Completed\","
        + "\"timestamp\":\"2024-01-15T10:30:00Z\",\"context\":{\"library\":{\"name\":\"x\",\"version\":\"1\"}},";
    Path f = dir.resolve("planned.ndjson");
    Files.write(f, List.of(order + "\"messageId\":\"ok-1\",\"properties\":{\"a\":1}}",
        order + "\"messageId\":\"bad-2\",\"properties\":{\"a\":\"one\"}}"));

    Cli.Run r = importFiles("--plan", plan.toString(), "--plan-mode", "drop", f.toString());

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.out()).contains("tracking plan 'Shop': 2 checked, 1 with violations, 1 dropped");
    assertThat(idsAtCollector()).containsExactly("ok-1");
  }

  @Test
  void aLoopbackCollectorTakesTheWriteKeyOnTheCommandLineAndUntimedLinesAreStampedAndCounted() throws Exception {
    Path f = dir.resolve("untimed.ndjson");
    Files.write(f, List.of("{\"messageId\":\"u-1\",\"type\":\"track\",\"userId\":\"u\",\"event\":\"No Time\"}"));

    Cli.Run r = beacon("import", "--no-progress", "--endpoint", collector.uri().toString(), "--write-key", KEY,
        f.toString());

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("1 accepted, 1 without a timestamp").contains("delivered 1");
    assertThat(r.err()).contains("warning: 1 line(s) had no timestamp and were stamped with the time of the import");
    assertThat(collector.messages()).singleElement().satisfies(m -> assertThat(m.timestamp()).isNotBlank());
  }

  @Test
  void aCleanFileIsDeliveredAndReimportingItSendsTheSameStableIdsAgain() throws Exception {
    Path f = dir.resolve("clean.ndjson");
    NdjsonGenerator.write(f, 500, false); // no messageIds: the import derives them

    Cli.Run first = importFiles(f.toString());
    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(first.out()).contains("read 500 line(s): 0 invalid, 500 accepted").contains("delivered 500, failed 0");
    Set<String> firstIds = new HashSet<>(idsAtCollector());
    assertThat(firstIds).hasSize(500);

    Cli.Run second = importFiles(f.toString());
    assertThat(second.exit()).as(second.all()).isZero();
    assertThat(collector.messages()).hasSize(1000);
    assertThat(idsAtCollector()).isEqualTo(firstIds); // no new ids downstream
    assertThat(collector.duplicateMessageIds()).hasSize(500).allSatisfy((id, n) -> assertThat(n).isEqualTo(2));
  }

  @Test
  void aPermanentRefusalByTheApiExitsFourWithTheReasonInTheSummary() throws Exception {
    Path f = dir.resolve("refused.ndjson");
    NdjsonGenerator.write(f, 30, true);
    collector.failNext(100, 400);

    Cli.Run r = importFiles(f.toString());

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(r.out()).contains("delivered 0, failed 30 {REJECTED=30}");
    assertThat(r.err()).contains("beacon: 30 message(s) not delivered: REJECTED (HTTP 400)");
    assertThat(r.all()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(collector.messages()).isEmpty();
  }

  @Test
  void aWrongWriteKeyExitsFourAsUnauthorized() throws Exception {
    Path f = dir.resolve("events.ndjson");
    NdjsonGenerator.write(f, 10, true);
    keyFile = Cli.keyFile(dir, "not-the-key");

    Cli.Run r = importFiles(f.toString());

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(r.out()).contains("failed 10 {UNAUTHORIZED=10}");
    assertThat(r.err()).contains("beacon: 10 message(s) not delivered: UNAUTHORIZED (HTTP 401)");
  }

  @Test
  void anEmptyWriteKeyFileIsAUsageErrorOnOneLine() throws Exception {
    Path f = dir.resolve("events.ndjson");
    NdjsonGenerator.write(f, 1, true);
    Path empty = Files.writeString(dir.resolve("empty-key"), "  \n");

    Cli.Run r = beacon("import", "--no-progress", "--endpoint", collector.uri().toString(),
        "--write-key-file", empty.toString(), f.toString());

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).isEqualTo("beacon: the write key file " + empty + " is empty");
    assertThat(collector.stats().requests()).isZero();
  }

  @Test
  void aMissingWriteKeyIsAUsageErrorOnOneLine() throws Exception {
    Path f = dir.resolve("events.ndjson");
    NdjsonGenerator.write(f, 1, true);

    // A child JVM: the only honest way to run without SEGMENT_WRITE_KEY whatever this JVM's environment has.
    Cli.Run r = Cli.child(dir, Duration.ofMinutes(3), "import", "--no-progress",
        "--endpoint", collector.uri().toString(), f.toString());

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).isEqualTo("beacon: no write key: set SEGMENT_WRITE_KEY or pass --write-key-file FILE"
        + " (or --write-key KEY, for this loopback endpoint)");
    assertThat(r.out()).isEmpty();
    assertThat(collector.stats().requests()).isZero();
  }

  @Test
  void anEndpointWithNothingListeningExitsFourWithinTheTimeoutWithoutAStackTrace() throws Exception {
    Path f = dir.resolve("events.ndjson");
    NdjsonGenerator.write(f, 20, true);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }

    // A child JVM, so that everything the process writes (its logs too) is checked.
    long t0 = System.nanoTime();
    Cli.Run r = Cli.child(dir, Duration.ofMinutes(3), "import", "--no-progress", "--timeout", "PT2S",
        "--endpoint", "http://127.0.0.1:" + port, "--write-key-file", keyFile.toString(), f.toString());
    long secs = (System.nanoTime() - t0) / 1_000_000_000L;

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(r.out()).contains("read 20 line(s): 0 invalid, 20 accepted").contains("delivered 0, failed 20");
    assertThat(r.err()).contains("beacon: 20 message(s) not delivered: SHUTDOWN")
        .contains("still pending when --timeout PT2S ran out").contains("cannot connect to 127.0.0.1:" + port);
    assertThat(r.all()).doesNotContain("\tat ");
    // The message above proves the --timeout path was taken; this bound only shows the default
    // retry budget (minutes against a refused connection) was not, with room for a busy machine's
    // slow JVM start (it was 20 s).
    assertThat(secs).as("seconds").isLessThan(60);
  }

  @Test
  void aSpoolWhereCheckpointsCannotBeKeptIsOneClearLine() throws Exception {
    Path f = dir.resolve("events.ndjson");
    NdjsonGenerator.write(f, 5, true);
    Path spool = Files.createDirectories(dir.resolve("spool"));
    Files.writeString(spool.resolve("import-checkpoints"), "a file where a directory should be");

    Cli.Run r = importFiles("--spool", spool.toString(), f.toString());

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.FATAL);
    assertThat(r.err()).startsWith("beacon: cannot keep import checkpoints in " + spool.resolve("import-checkpoints"))
        .doesNotContain("\tat ");
  }

  @Test
  void theWriteKeyNeverAppearsInAnyOutputEvenWithDebugAndVerbose() throws Exception {
    String canary = "CANARY-wk-7f3a9c";
    Path canaryFile = Cli.keyFile(dir, canary);
    Path f = dir.resolve("events.ndjson");
    Files.write(f, List.of("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}", "{bad"));
    collector.failNext(1, 503);

    // Refused (401: the collector expects another key), in a child JVM so its logs are seen too.
    Cli.Run refused = Cli.child(dir, Duration.ofMinutes(3), "import", "--debug", "--verbose", "--timeout", "PT20S",
        "--endpoint", collector.uri().toString(), "--write-key-file", canaryFile.toString(), f.toString());
    assertThat(refused.exit()).as(refused.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(refused.all()).doesNotContain(canary);

    try (CollectorServer accepting = CollectorServer.builder().writeKey(canary).build().start()) {
      Cli.Run sent = Cli.child(dir, Duration.ofMinutes(3), "send", "track", "--user-id", "u", "--event", "E",
          "--debug", "--verbose", "--endpoint", accepting.uri().toString(), "--write-key-file", canaryFile.toString());
      assertThat(sent.exit()).as(sent.all()).isZero();
      assertThat(sent.all()).contains("delivered track").doesNotContain(canary);
      assertThat(accepting.messages()).hasSize(1);
    }
    Cli.Run inProcess = beacon("import", "--debug", "--verbose", "--no-progress", "--dry-run", f.toString());
    assertThat(inProcess.all()).doesNotContain(canary);
  }
}
