package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beacon gateway}: serves SDKs, journals, forwards, and stops on SIGTERM with exit 0. */
class GatewayCommandTest {
  private static final Pattern LISTENING = Pattern.compile("gateway: listening on (https?://\\S+);");
  @TempDir
  Path dir;

  private Path keys() throws Exception {
    Path f = dir.resolve("keys.json");
    Files.writeString(f, "{\"sources\":[{\"writeKey\":\"web-key\",\"name\":\"web\"}]}");
    return f;
  }

  @Test
  void acceptsJournalsForwardsAndStopsOnSigtermWithExitZero() throws Exception {
    try (CollectorServer target = CollectorServer.builder().writeKey("forward-key").build().start()) {
      Cli.Child child = Cli.start(dir, "gateway", "--listen", "127.0.0.1:0", "--keys", keys().toString(),
          "--spool", dir.resolve("journal").toString(), "--forward", target.uri().toString(),
          "--forward-write-key-file", Cli.keyFile(dir, "forward-key").toString(), "--progress-interval", "PT0.2S");
      URI base = awaitListening(child);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < 30; i++) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/t"))
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"web-key\",\"type\":\"track\",\"anonymousId\":\"a\","
                + "\"event\":\"Viewed\",\"messageId\":\"cli-" + i + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(base.resolve("/v1/batch"))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("nope:".getBytes(StandardCharsets.UTF_8)))
          .POST(HttpRequest.BodyPublishers.ofString("{\"batch\":[]}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).isEqualTo(401);
      List<CapturedMessage> got = target.awaitMessages(30, Duration.ofSeconds(60));
      assertThat(got).extracting(CapturedMessage::messageId).hasSize(30).doesNotHaveDuplicates();

      child.process().destroy(); // SIGTERM
      Cli.Run run = child.await(Duration.ofSeconds(90));
      assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
      assertThat(run.out()).contains("gateway: accepted 30 events, refused 1 requests").contains("forwarded 30");
      assertThat(run.err()).contains("gateway: accepted 30 events").contains("gateway: stopping")
          .doesNotContain("forward-key").doesNotContain("web-key");
    }
  }

  @Test
  void badOptionsAndAnUnusableKeysFileAreUsageErrors() throws Exception {
    Path keyFile = Cli.keyFile(dir, "forward-key");
    Cli.Run durability = Cli.beacon("gateway", "--keys", keys().toString(), "--spool", dir.resolve("j1").toString(),
        "--forward", "http://127.0.0.1:1", "--forward-write-key-file", keyFile.toString(), "--durability", "buffered");
    assertThat(durability.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(durability.err()).contains("--durability must be process-crash or os-crash but was buffered");

    Path badKeys = dir.resolve("bad.json");
    Files.writeString(badKeys, "{\"sources\":[{\"writeKey\":\"k\"}]}");
    Cli.Run keys = Cli.beacon("gateway", "--listen", "127.0.0.1:0", "--keys", badKeys.toString(),
        "--spool", dir.resolve("j2").toString(), "--forward", "http://127.0.0.1:1",
        "--forward-write-key-file", keyFile.toString());
    assertThat(keys.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(keys.err()).contains("sources[0].name must be a non-blank printable string");
  }

  @Test
  void servesHttpsWithThePemFilesGiven() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    Path cert = Files.writeString(dir.resolve("chain.pem"), certs.serverCertificateChainPem());
    Path key = Files.writeString(dir.resolve("key.pem"), certs.serverKeyPem());
    Cli.Child child = Cli.start(dir, "gateway", "--listen", "127.0.0.1:0", "--keys", keys().toString(),
        "--spool", dir.resolve("journal").toString(), "--forward", "http://127.0.0.1:1",
        "--forward-write-key-file", Cli.keyFile(dir, "forward-key").toString(),
        "--tls-cert", cert.toString(), "--tls-key", key.toString());
    URI base = awaitListening(child);
    assertThat(base.getScheme()).isEqualTo("https");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(certs.clientContext())
        .build();
    assertThat(http.send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(200);
    child.process().destroy();
    assertThat(child.await(Duration.ofSeconds(90)).exit()).isEqualTo(ExitCodes.OK);

    Cli.Run half = Cli.beacon("gateway", "--keys", keys().toString(), "--spool", dir.resolve("j3").toString(),
        "--forward", "http://127.0.0.1:1", "--forward-write-key-file", Cli.keyFile(dir, "k").toString(),
        "--tls-cert", cert.toString());
    assertThat(half.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(half.err()).contains("--tls-cert and --tls-key go together");
  }

  static URI awaitListening(Cli.Child child) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(child.err()));
      if (m.find()) {
        return URI.create(m.group(1));
      }
      if (!child.process().isAlive()) {
        throw new AssertionError("beacon gateway exited: " + Files.readString(child.err()));
      }
      Thread.sleep(20);
    }
    throw new AssertionError("beacon gateway did not listen: " + Files.readString(child.err()));
  }
}
