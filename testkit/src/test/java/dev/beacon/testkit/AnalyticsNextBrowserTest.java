package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.browser.HeadlessChromium;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment's own browser SDK, {@code @segment/analytics-next} 1.84.3, in headless Chromium, sends
 * to {@code CollectorServer} (what {@code beacon collect} runs) from a page on another origin:
 * settings fetched from the collector, CORS preflights, text/plain bodies with the key inside,
 * the one-letter paths and the batching dispatcher's {@code /v1/b}.
 *
 * <p>The harness is {@link HeadlessChromium}, shared with the gateway's browser test. Needs Debian's {@code chromium} and {@code chromium-driver} and the npm package unpacked
 * where {@code .ci/browser-test-deps} puts it. Without them it is skipped on a developer machine
 * (the reason names the command to run), and fails in CI ({@code CI=true}), where
 * {@code .ci/run} installs them.
 */
class AnalyticsNextBrowserTest {
  private static final String KEY = "browser-write-key";
  private static final Duration ARRIVAL = Duration.ofSeconds(60);

  @TempDir Path profile;
  private CollectorServer collector;
  private HeadlessChromium browser;

  @BeforeAll
  static void findTheBrowserAndTheBundle() {
    HeadlessChromium.locate();
  }

  @BeforeEach
  void start() throws IOException {
    HeadlessChromium.assumeAvailable();
    collector = CollectorServer.builder().writeKey(KEY).build().start();
    browser = HeadlessChromium.start(profile);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (collector != null) {
      collector.close();
    }
  }

  @Test
  void theDefaultDispatcherDeliversPageIdentifyAndTrackThroughCors() {
    List<CapturedMessage> messages = run("{}");

    assertThat(messages).extracting(CapturedMessage::type).containsExactlyInAnyOrder("page", "identify", "track");
    assertArrivedAsAnalyticsJsSentThem(messages);
    assertThat(collector.requests()).extracting(ReceivedRequest::path).contains("/v1/projects/***/settings");
    assertThat(collector.requests()).filteredOn(r -> r.detail().equals("CORS preflight"))
        .as("the browser asked before each cross-origin POST").extracting(ReceivedRequest::path)
        .contains("/v1/p", "/v1/i", "/v1/t");
    assertThat(collector.requests()).filteredOn(r -> r.status() == 200 && r.path().matches("/v1/[pit]"))
        .as("one POST per call, as analytics.js sends it").hasSize(3)
        .allSatisfy(r -> assertThat(r.contentType()).startsWith("text/plain"));
  }

  @Test
  void theBatchingDispatcherDeliversPageIdentifyAndTrackInOneBatch() {
    List<CapturedMessage> messages = run(
        "{'Segment.io': {deliveryStrategy: {strategy: 'batching', config: {size: 3, timeout: 60000}}}}");

    assertThat(messages).extracting(CapturedMessage::type).containsExactlyInAnyOrder("page", "identify", "track");
    assertArrivedAsAnalyticsJsSentThem(messages);
    assertThat(collector.requests()).filteredOn(r -> r.status() == 200 && r.messageIds().size() == 3)
        .singleElement().satisfies(r -> {
          assertThat(r.path()).isEqualTo("/v1/b");
          assertThat(r.contentType()).startsWith("text/plain");
        });
    assertThat(collector.requests()).filteredOn(r -> r.detail().equals("CORS preflight"))
        .extracting(ReceivedRequest::path).contains("/v1/b");
  }

  /** Loads the page with these load-time integrations settings and waits for its three calls. */
  private List<CapturedMessage> run(String integrations) {
    assertThat(browser.pageUri().toString()).as("page and collector must be different origins")
        .doesNotStartWith(collector.uri().toString());
    browser.open(HeadlessChromium.pageIdentifyTrack(KEY, collector.uri(), integrations));
    try {
      return collector.awaitMessages(3, ARRIVAL);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; collector saw " + collector.requests()
          + "; browser console: " + browser.console(), e);
    }
  }

  private void assertArrivedAsAnalyticsJsSentThem(List<CapturedMessage> messages) {
    CapturedMessage page = messages.stream().filter(m -> m.type().equals("page")).findFirst().orElseThrow();
    CapturedMessage identify = messages.stream().filter(m -> m.type().equals("identify")).findFirst().orElseThrow();
    CapturedMessage track = messages.stream().filter(m -> m.type().equals("track")).findFirst().orElseThrow();
    assertThat(page.name()).isEqualTo("Home");
    assertThat(identify.userId()).isEqualTo("user-1");
    assertThat(identify.traits()).containsEntry("plan", "pro");
    assertThat(track.event()).isEqualTo("Clicked");
    assertThat(track.properties()).containsEntry("button", "buy");
    assertThat(messages).allSatisfy(m -> {
      assertThat(m.get("context.library.name")).isEqualTo("analytics.js");
      assertThat(m.anonymousId()).isNotBlank();
      assertThat(m.json()).doesNotContainKey("writeKey");
    });
    assertThat(collector.stats().rejected()).as("%s", collector.requests()).isZero();
    assertThat(browser.pageError()).isNull();
  }
}
