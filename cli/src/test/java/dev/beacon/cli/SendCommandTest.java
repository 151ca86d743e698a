package dev.beacon.cli;

import static dev.beacon.cli.Cli.beacon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beacon send}: one call from a script, delivered before the command exits. */
class SendCommandTest {
  private static final String KEY = "send-test-key";

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

  private Cli.Run send(String... args) {
    List<String> all = new ArrayList<>(List.of("send"));
    all.addAll(List.of(args));
    all.addAll(List.of("--endpoint", collector.uri().toString(), "--write-key-file", keyFile.toString()));
    return beacon(all.toArray(String[]::new));
  }

  @Test
  void aTrackIsDeliveredBeforeTheCommandExits() {
    Cli.Run r = send("track", "--user-id", "u", "--event", "E", "--properties", "{\"revenue\": 9.99}",
        "--message-id", "send-1", "--timestamp", "2024-01-15T10:30:00Z");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out().strip()).isEqualTo("delivered track send-1");
    assertThat(collector.messages()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo("track");
      assertThat(m.userId()).isEqualTo("u");
      assertThat(m.event()).isEqualTo("E");
      assertThat(((Number) m.properties().get("revenue")).doubleValue()).isEqualTo(9.99);
      assertThat(m.timestamp()).startsWith("2024-01-15T10:30:00");
    });
  }

  @Test
  void everyCallTypeCanBeSent() {
    assertThat(send("identify", "--user-id", "u", "--traits", "{\"plan\":\"premium\"}").exit()).isZero();
    assertThat(send("page", "--anonymous-id", "a", "--name", "Home").exit()).isZero();
    assertThat(send("screen", "--user-id", "u", "--name", "Settings").exit()).isZero();
    assertThat(send("group", "--user-id", "u", "--group-id", "g").exit()).isZero();
    assertThat(send("alias", "--user-id", "u", "--previous-id", "a").exit()).isZero();

    assertThat(collector.messages()).extracting(CapturedMessage::type)
        .containsExactly("identify", "page", "screen", "group", "alias");
    assertThat(collector.messages().get(0).traits()).containsEntry("plan", "premium");
  }

  @Test
  void aRefusalByTheApiExitsFourWithOneClearLine() {
    collector.failNext(5, 400);

    Cli.Run r = send("track", "--user-id", "u", "--event", "E");

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("beacon: not delivered to " + collector.uri() + ": REJECTED (HTTP 400)")
        .doesNotContain("\tat ");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(collector.messages()).isEmpty();
  }

  @Test
  void anUnreachableEndpointPrintsOneLineWithTheCauseAndGivesUpWithinTheTimeout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // A child JVM, as from a shell: its stderr is everything the user sees, logs included.
    Cli.Run r = Cli.child(dir, Duration.ofSeconds(60), "send", "track", "--user-id", "u", "--event", "E",
        "--timeout", "PT2S", "--endpoint", "http://127.0.0.1:" + port, "--write-key", "any");

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).as(r.err()).singleElement().asString()
        .startsWith("beacon: not delivered to http://127.0.0.1:" + port + ": gave up within --timeout PT2S,"
            + " last attempt: network error (cannot connect")
        .doesNotContain("callback", "DEADLINE_EXCEEDED");
  }

  @Test
  void anEndpointThatNeverAnswersIsGivenUpAtTheTimeout() throws Exception {
    // Bound and listening but never accepting: the kernel completes the handshake, nobody answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Cli.Run r = beacon("send", "track", "--user-id", "u", "--event", "E", "--timeout", "PT1S",
          "--endpoint", "http://127.0.0.1:" + silent.getLocalPort(), "--write-key", "any");

      assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
      assertThat(r.err().lines()).singleElement().asString()
          .startsWith("beacon: not delivered to http://127.0.0.1:" + silent.getLocalPort() + ": ")
          .contains("--timeout PT1S");
    }
  }

  @Test
  void theDefaultTimeoutIsTenSeconds() {
    Cli.Run r = beacon("send", "--help");

    assertThat(r.out()).contains("--timeout=DURATION").contains("(default: PT10S)");
  }

  @Test
  void aWriteKeyOnTheCommandLineIsAcceptedForALoopbackEndpoint() {
    Cli.Run r = beacon("send", "track", "--user-id", "u", "--event", "E", "--message-id", "wk-1",
        "--endpoint", collector.uri().toString(), "--write-key", KEY);

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(collector.messages()).extracting(CapturedMessage::messageId).containsExactly("wk-1");
  }

  @Test
  void aWriteKeyOnTheCommandLineIsRefusedForAnyOtherEndpointWithoutEchoingIt() {
    Cli.Run r = beacon("send", "track", "--user-id", "u", "--event", "E",
        "--endpoint", "https://api.segment.io", "--write-key", "real-looking-key-123");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString()
        .startsWith("beacon: --write-key is accepted only for a loopback endpoint")
        .contains("SEGMENT_WRITE_KEY", "--write-key-file")
        .doesNotContain("real-looking-key-123");
  }

  @Test
  void writeKeyAndWriteKeyFileAreExclusive() {
    Cli.Run r = beacon("send", "track", "--user-id", "u", "--event", "E",
        "--endpoint", collector.uri().toString(), "--write-key", KEY, "--write-key-file", keyFile.toString());

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("exclusive");
  }

  @Test
  void aWrongWriteKeySaysSoOnOneLine() {
    Cli.Run r = beacon("send", "track", "--user-id", "u", "--event", "E",
        "--endpoint", collector.uri().toString(), "--write-key", "a-wrong-key");

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(r.err().lines()).singleElement().isEqualTo("beacon: not delivered to " + collector.uri()
        + ": the write key was refused: UNAUTHORIZED (HTTP 401)");
  }

  @Test
  void anUnknownTypeIsAUsageError() {
    Cli.Run r = send("teleport", "--user-id", "u");

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("beacon: ").contains("teleport");
  }
}
