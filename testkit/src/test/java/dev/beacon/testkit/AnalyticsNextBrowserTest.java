package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Segment's own browser SDK, {@code @segment/analytics-next} 1.84.3, in headless Chromium, sends
 * to {@code CollectorServer} (what {@code beacon collect} runs) from a page on another origin:
 * settings fetched from the collector, CORS preflights, text/plain bodies with the key inside,
 * the one-letter paths and the batching dispatcher's {@code /v1/b}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} and the npm package unpacked
 * where {@code .ci/browser-test-deps} puts it. Without them it is skipped on a developer machine
 * (the reason names the command to run), and fails in CI ({@code CI=true}), where
 * {@code .ci/run} installs them.
 */
class AnalyticsNextBrowserTest {
  private static final String KEY = "browser-write-key";
  private static final String INSTALL = "run .ci/browser-test-deps (apt-get install chromium chromium-driver; "
      + "npm pack @segment/analytics-next@1.84.3 into build/browser/analytics-next)";
  private static final Pattern BUNDLE_FILE = Pattern.compile("[A-Za-z0-9._-]{1,100}\\.js");
  private static final Duration ARRIVAL = Duration.ofSeconds(60);
  /** Held so the setting sticks: Selenium warns on every session that it has no CDP classes for this Chromium. */
  private static final java.util.logging.Logger CDP_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

  private static Path chromium;
  private static Path chromedriver;
  private static Path bundle;
  private static String missingReason;

  @TempDir Path profile;
  private CollectorServer collector;
  private HttpServer pageServer;
  private ChromeDriver browser;
  private volatile String page;

  @BeforeAll
  static void findTheBrowserAndTheBundle() {
    CDP_LOG.setLevel(Level.SEVERE);
    chromium = Paths.get(System.getProperty("beacon.browser.chromium", "/usr/bin/chromium"));
    chromedriver = Paths.get(System.getProperty("beacon.browser.chromedriver", "/usr/bin/chromedriver"));
    bundle = Paths.get(System.getProperty("beacon.browser.analyticsNext", "../build/browser/analytics-next"))
        .toAbsolutePath().normalize().resolve("dist/umd");
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(chromium)) {
      missing.add("no Chromium at " + chromium);
    }
    if (!Files.isExecutable(chromedriver)) {
      missing.add("no chromedriver at " + chromedriver);
    }
    if (!Files.isRegularFile(bundle.resolve("index.js"))) {
      missing.add("no analytics-next bundle at " + bundle.resolve("index.js"));
    }
    if (missing.isEmpty()) {
      return;
    }
    missingReason = String.join("; ", missing) + ": " + INSTALL;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI must run the browser test: " + missingReason);
    }
  }

  @BeforeEach
  void start() throws IOException {
    // Per test, not in @BeforeAll: Surefire then counts each test as skipped, with the reason.
    assumeTrue(missingReason == null, () -> "browser test skipped: " + missingReason);
    collector = CollectorServer.builder().writeKey(KEY).build().start();
    // The page comes from another server, so another origin (another port): CORS is exercised.
    pageServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    pageServer.createContext("/", this::servePage);
    pageServer.start();
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (pageServer != null) {
      pageServer.stop(0);
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
    page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>beacon browser test</title>"
        + "<script>window.addEventListener('error', e => { window.__beaconError = String(e.message); });\n"
        + "window.addEventListener('unhandledrejection', e => { window.__beaconError = String(e.reason); });</script>"
        + "<script src=\"/umd/index.js\"></script></head><body><script>\n"
        + "window.calls = AnalyticsNext.AnalyticsBrowser.load(\n"
        + "  {writeKey: '" + KEY + "', cdnURL: '" + collector.uri() + "'},\n"
        + "  {disableClientPersistence: true, integrations: " + integrations + "});\n"
        + "window.calls.page('Home', {path: '/home'});\n"
        + "window.calls.identify('user-1', {plan: 'pro'});\n"
        + "window.calls.track('Clicked', {button: 'buy'});\n"
        + "</script></body></html>";
    String pageUrl = "http://127.0.0.1:" + pageServer.getAddress().getPort() + "/";
    assertThat(pageUrl).as("page and collector must be different origins").doesNotStartWith(collector.uri().toString());
    browser.get(pageUrl);
    try {
      return collector.awaitMessages(3, ARRIVAL);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; collector saw " + collector.requests()
          + "; browser console: " + console(), e);
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
    Object error = ((JavascriptExecutor) browser).executeScript("return window.__beaconError || null");
    assertThat(error).isNull();
  }

  private String console() {
    try {
      return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString)
          .collect(Collectors.joining(" | "));
    } catch (RuntimeException e) {
      return "(unavailable: " + e + ")";
    }
  }

  /** Serves the page and the bundle's files (by plain name only: nothing outside dist/umd). */
  private void servePage(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      byte[] body;
      String type;
      if (path.equals("/")) {
        body = page.getBytes(StandardCharsets.UTF_8);
        type = "text/html; charset=utf-8";
      } else if (path.startsWith("/umd/") && BUNDLE_FILE.matcher(path.substring(5)).matches()
          && Files.isRegularFile(bundle.resolve(path.substring(5)))) {
        body = Files.readAllBytes(bundle.resolve(path.substring(5)));
        type = "text/javascript";
      } else {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
