package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static dev.beacon.gateway.GatewayFixture.batch;
import static dev.beacon.gateway.GatewayFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.segment.analytics.Callback;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.TrackMessage;
import dev.beacon.SpoolDurability;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The local-journal sink: every event answered 200 arrives at the forward target. */
class JournalSinkTest {
  private static final String FORWARD_KEY = "forward-key";
  @TempDir
  Path dir;
  CollectorServer target;
  Gateway gateway;

  @BeforeEach
  void startTarget() {
    target = CollectorServer.builder().writeKey(FORWARD_KEY).build().start();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(30));
    }
    target.close();
  }

  private void startGateway(SpoolDurability durability) throws Exception {
    JournalSink sink = JournalSink.open(dir.resolve("journal"), target.uri(), FORWARD_KEY, durability);
    gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0).build().start();
  }

  @ParameterizedTest
  @EnumSource(value = SpoolDurability.class, names = {"PROCESS_CRASH", "OS_CRASH"})
  void everyEventAnswered200ArrivesAtTheForwardTarget(SpoolDurability durability) throws Exception {
    startGateway(durability);
    Set<String> acknowledged = new HashSet<>();
    for (int r = 0; r < 20; r++) {
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String id = "m-" + r + "-" + i;
        messages.add("{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\",\"messageId\":\"" + id
            + "\",\"properties\":{\"n\":" + i + "}}");
      }
      HttpResponse<String> answer = post(gateway.uri(), "/v1/batch", batch(messages.toArray(String[]::new)), KEY);
      assertThat(answer.statusCode()).isEqualTo(200);
      for (int i = 0; i < 10; i++) {
        acknowledged.add("m-" + r + "-" + i);
      }
    }
    List<CapturedMessage> got = target.awaitMessages(acknowledged.size(), Duration.ofSeconds(60));
    assertThat(got.stream().map(CapturedMessage::messageId).collect(Collectors.toSet())).isEqualTo(acknowledged);
    assertThat(got).allSatisfy(m -> assertThat(m.get("context.ip")).isEqualTo("127.0.0.1"));
    assertThat(gateway.close(Duration.ofSeconds(30))).isTrue();
  }

  @Test
  void segmentsAnalyticsJavaSendsThroughTheGateway() throws Exception {
    startGateway(SpoolDurability.PROCESS_CRASH);
    List<String> failures = new CopyOnWriteArrayList<>();
    com.segment.analytics.Analytics client = com.segment.analytics.Analytics.builder(KEY)
        .endpoint(gateway.uri().toString())
        .callback(new Callback() {
          @Override
          public void success(Message message) {}

          @Override
          public void failure(Message message, Throwable throwable) {
            failures.add(message.messageId() + ": " + throwable);
          }
        })
        .build();
    try {
      for (int i = 0; i < 50; i++) {
        client.enqueue(TrackMessage.builder("Ordered").userId("user-" + (i % 5)).properties(Map.of("i", i)));
      }
      client.flush();
      List<CapturedMessage> got = target.awaitMessages(50, Duration.ofSeconds(60));
      assertThat(got).allSatisfy(m -> assertThat(m.event()).isEqualTo("Ordered"));
      // Per user, in the order sent.
      for (int u = 0; u < 5; u++) {
        String user = "user-" + u;
        List<Integer> order = got.stream().filter(m -> user.equals(m.userId()))
            .map(m -> ((Number) m.get("properties.i")).intValue()).toList();
        assertThat(order).isSorted().hasSize(10);
      }
    } finally {
      client.shutdown();
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void bufferedDurabilityIsRefusedItWouldAnswerBeforeTheJournalHasTheEvent() {
    assertThatThrownBy(() -> JournalSink.open(dir.resolve("j"), target.uri(), FORWARD_KEY, SpoolDurability.BUFFERED))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BUFFERED");
  }
}
