package dev.beacon.cli;

import static dev.beacon.cli.Cli.beacon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.net.ServerSocket;
import java.nio.file.Path;
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
    assertThat(r.err()).startsWith("beacon: not delivered: REJECTED (HTTP 400)").doesNotContain("\tat ");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(collector.messages()).isEmpty();
  }

  @Test
  void anUnreachableEndpointExitsFourWithinTheTimeout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    Cli.Run r = beacon("send", "track", "--user-id", "u", "--event", "E", "--timeout", "PT2S",
        "--endpoint", "http://127.0.0.1:" + port, "--write-key-file", keyFile.toString());

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(r.err()).startsWith("beacon: not delivered: ").doesNotContain("\tat ");
    // Within the 2 s timeout, not the default retry budget (minutes against a refused connection);
    // the bound leaves room for a busy machine (it was 10 s).
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms").isLessThan(60_000);
  }

  @Test
  void anUnknownTypeIsAUsageError() {
    Cli.Run r = send("teleport", "--user-id", "u");

    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("beacon: ").contains("teleport");
  }
}
