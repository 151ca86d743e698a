package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.WireFormat;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code beacon gateway} with the Kafka sink: 200s for events Kafka has, one sink at a time. */
class GatewayKafkaCommandTest {
  @RegisterExtension
  static final KafkaBroker BROKER = KafkaBroker.withoutTopicAutoCreation();
  @TempDir
  Path dir;

  private Path keys() throws Exception {
    return Files.writeString(dir.resolve("keys.json"), "{\"sources\":[{\"writeKey\":\"web-key\",\"name\":\"web\"}]}");
  }

  @Test
  void writesEveryAcceptedEventToTheTopicAndStopsOnSigtermWithExitZero() throws Exception {
    BROKER.createTopic("cli-gateway", 2);
    Cli.Child child = Cli.start(dir, "gateway", "--listen", "127.0.0.1:0", "--keys", keys().toString(),
        "--kafka-bootstrap-servers", BROKER.bootstrapServers(), "--topic", "cli-gateway",
        "--kafka-property", "linger.ms=1", "--progress-interval", "PT0.2S");
    URI base = GatewayCommandTest.awaitListening(child);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/t"))
          .header("Content-Type", "text/plain")
          .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"web-key\",\"type\":\"track\",\"userId\":\"u\","
              + "\"event\":\"Viewed\",\"messageId\":\"kafka-cli-" + i + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    Set<Object> ids = BROKER.read("cli-gateway", 20, Duration.ofSeconds(60)).stream()
        .map(r -> WireFormat.parseObject(r.value()).get("messageId")).collect(Collectors.toSet());
    assertThat(ids).hasSize(20).allSatisfy(id -> assertThat((String) id).startsWith("kafka-cli-"));

    child.process().destroy(); // SIGTERM
    Cli.Run run = child.await(Duration.ofSeconds(90));
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.err()).contains("writing to Kafka topic cli-gateway").doesNotContain("web-key");
    assertThat(run.out()).contains("gateway: accepted 20 events");
  }

  @Test
  void oneSinkAtATime() throws Exception {
    Cli.Run both = Cli.beacon("gateway", "--keys", keys().toString(), "--spool", dir.resolve("j").toString(),
        "--forward", "http://127.0.0.1:1", "--kafka-bootstrap-servers", "127.0.0.1:1", "--topic", "t");
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("choose one sink");
    Cli.Run neither = Cli.beacon("gateway", "--keys", keys().toString());
    assertThat(neither.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(neither.err()).contains("choose one sink");
    Cli.Run half = Cli.beacon("gateway", "--keys", keys().toString(), "--topic", "t");
    assertThat(half.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(half.err()).contains("needs both --kafka-bootstrap-servers and --topic");
  }
}
