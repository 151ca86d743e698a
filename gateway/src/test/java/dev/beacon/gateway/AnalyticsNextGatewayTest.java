package dev.beacon.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.SpoolDurability;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.WireFormat;
import dev.beacon.testkit.browser.HeadlessChromium;
import dev.beacon.transport.kafka.KafkaEventSink;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment's own browser SDK, {@code @segment/analytics-next} 1.84.3, in headless Chromium, sends
 * page, identify and track calls through the gateway into Kafka: the page is served from another
 * origin (the only one the gateway allows), analytics.js fetches its settings from the gateway
 * ({@code cdnURL}), which points its Segment.io integration at the gateway, and the browser's own
 * CORS preflights and text/plain posts (the one-letter paths, the batching dispatcher's
 * {@code /v1/b}) reach the {@link KafkaSink} on a real KRaft broker — and, once, the
 * {@link JournalSink}, which forwards them to a {@link CollectorServer}.
 *
 * <p>Same rule as testkit's browser test (the harness is {@link HeadlessChromium}): skipped without
 * Chromium, chromedriver or the bundle on a developer machine, failed under {@code CI=true}.
 */
class AnalyticsNextGatewayTest {
  @RegisterExtension
  static final KafkaBroker BROKER = KafkaBroker.withoutTopicAutoCreation();
  private static final Duration ARRIVAL = Duration.ofSeconds(120);

  @TempDir Path dir;
  @TempDir Path profile;
  private HeadlessChromium browser;
  private Gateway gateway;
  private CollectorServer forwardTarget;

  @BeforeAll
  static void findTheBrowserAndTheBundle() {
    HeadlessChromium.locate();
  }

  @BeforeEach
  void start() throws Exception {
    HeadlessChromium.assumeAvailable();
    browser = HeadlessChromium.start(profile);
  }

  @AfterEach
  void stop() {
    try {
      if (gateway != null) {
        assertThat(gateway.close(Duration.ofSeconds(30))).isTrue();
      }
    } finally {
      if (forwardTarget != null) {
        forwardTarget.close();
      }
      if (browser != null) {
        browser.close();
      }
    }
  }

  @Test
  void theDefaultDispatcherSendsPageIdentifyAndTrackThroughTheGatewayIntoKafka() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> records = run("default", "{}");

    assertArrivedAsAnalyticsJsSentThem(records);
  }

  @Test
  void theBatchingDispatcherSendsPageIdentifyAndTrackThroughTheGatewayIntoKafka() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> records = run("batching",
        "{'Segment.io': {deliveryStrategy: {strategy: 'batching', config: {size: 3, timeout: 60000}}}}");

    assertArrivedAsAnalyticsJsSentThem(records);
  }

  @Test
  void theDefaultDispatcherSendsThroughTheJournalSinkToTheForwardTarget() throws Exception {
    forwardTarget = CollectorServer.builder().writeKey("forward-key").build().start();
    startGateway(JournalSink.open(dir.resolve("journal"), forwardTarget.uri(), "forward-key",
        SpoolDurability.PROCESS_CRASH));

    browser.open(HeadlessChromium.pageIdentifyTrack(GatewayFixture.KEY, gateway.uri(), "{}"));
    List<CapturedMessage> messages;
    try {
      messages = forwardTarget.awaitMessages(3, ARRIVAL);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; target saw " + forwardTarget.requests() + "; browser error "
          + browser.pageError() + "; console " + browser.console(), e);
    }

    assertThat(messages).extracting(CapturedMessage::type).containsExactlyInAnyOrder("page", "identify", "track");
    assertThat(messages).extracting(CapturedMessage::messageId).doesNotHaveDuplicates();
    CapturedMessage identify = messages.stream().filter(m -> m.type().equals("identify")).findFirst().orElseThrow();
    assertThat(identify.userId()).isEqualTo("user-1");
    assertThat(identify.traits()).containsEntry("plan", "pro");
    CapturedMessage track = messages.stream().filter(m -> m.type().equals("track")).findFirst().orElseThrow();
    assertThat(track.event()).isEqualTo("Clicked");
    assertThat(track.properties()).containsEntry("button", "buy");
    assertThat(messages).allSatisfy(m -> {
      // The journal forwards what analytics.js sent, its own library and sentAt included, plus the
      // gateway's receivedAt (docs/gateway.md, "Fidelity of what is forwarded").
      assertThat(m.get("context.library.name")).isEqualTo("analytics.js");
      assertThat(m.json()).containsKeys("sentAt", "receivedAt");
      assertThat((String) m.get("context.userAgent")).contains("HeadlessChrome");
      assertThat(m.get("context.ip")).isEqualTo("127.0.0.1");
      assertThat(m.anonymousId()).isNotBlank();
      assertThat(m.json()).doesNotContainKey("writeKey");
    });
    assertThat(forwardTarget.stats().rejected()).as("%s", forwardTarget.requests()).isZero();
    assertThat(browser.pageError()).isNull();
  }

  /** Starts a gateway on a fresh topic, loads the page and waits for its three calls in Kafka. */
  private List<ConsumerRecord<byte[], byte[]>> run(String name, String integrations) throws Exception {
    String topic = "browser-" + name;
    BROKER.createTopic(topic, 2);
    startGateway(new KafkaSink(KafkaEventSink.builder().bootstrapServers(BROKER.bootstrapServers())
        .topic(topic).ackTimeout(Duration.ofSeconds(30)).build()));

    browser.open(HeadlessChromium.pageIdentifyTrack(GatewayFixture.KEY, gateway.uri(), integrations));
    List<ConsumerRecord<byte[], byte[]>> records = BROKER.read(topic, 3, ARRIVAL);
    assertThat(records).as("records in %s; browser error %s; console %s", topic, browser.pageError(),
        browser.console()).hasSizeGreaterThanOrEqualTo(3);
    // Exactly once: nothing beyond the three calls was written (no retry duplicated one).
    return BROKER.readAll(topic);
  }

  /** Starts the gateway on this sink, allowing CORS for the page's origin alone. */
  private void startGateway(Sink sink) throws Exception {
    String pageOrigin = browser.pageUri().toString().replaceAll("/$", "");
    // Only the page's origin gets CORS answers: the browser's preflights must pass the real check.
    gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0)
        .allowOrigins(Set.of(pageOrigin)).build().start();
    assertThat(pageOrigin).as("page and gateway must be different origins")
        .isNotEqualTo(gateway.uri().toString().replaceAll("/$", ""));
  }

  @SuppressWarnings("unchecked")
  private void assertArrivedAsAnalyticsJsSentThem(List<ConsumerRecord<byte[], byte[]>> records) {
    List<Map<String, Object>> messages = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Map<String, Object> m = WireFormat.parseObject(r.value());
      messages.add(m);
      assertThat(header(r, KafkaEventSink.HEADER_SOURCE)).isEqualTo("web");
      assertThat(header(r, "beacon.type")).isEqualTo(m.get("type"));
      assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(GatewayFixture.KEY);
      // The relay keys by userId else anonymousId, as KafkaTransport does.
      Object key = m.get("userId") != null ? m.get("userId") : m.get("anonymousId");
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(key);
    }
    assertThat(messages).extracting(m -> m.get("type")).containsExactlyInAnyOrder("page", "identify", "track");
    assertThat(messages).extracting(m -> m.get("messageId")).doesNotHaveDuplicates();
    assertThat(messages).allSatisfy(m -> {
      assertThat(m).containsKeys("receivedAt", "messageId", "anonymousId").doesNotContainKey("writeKey");
      assertThat(((Map<?, ?>) ((Map<?, ?>) m.get("context")).get("library")).get("name")).isEqualTo("analytics.js");
      assertThat(((Map<?, ?>) m.get("context")).get("ip")).isEqualTo("127.0.0.1");
    });
    Map<String, Map<String, Object>> m = messages.stream()
        .collect(Collectors.toMap(x -> (String) x.get("type"), x -> x));
    assertThat(m.get("page").get("name")).isEqualTo("Home");
    assertThat(m.get("identify").get("userId")).isEqualTo("user-1");
    assertThat((Map<String, Object>) m.get("identify").get("traits")).containsEntry("plan", "pro");
    assertThat(m.get("track").get("event")).isEqualTo("Clicked");
    assertThat((Map<String, Object>) m.get("track").get("properties")).containsEntry("button", "buy");
    assertThat(m.get("page").get("anonymousId")).isEqualTo(m.get("track").get("anonymousId"));
    assertThat(browser.pageError()).isNull();
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
