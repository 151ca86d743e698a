package dev.beacon.testkit.browser;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The Selenium harness the browser tests share (testkit's {@code AnalyticsNextBrowserTest}, the
 * gateway's {@code AnalyticsNextGatewayTest}): Debian's headless Chromium driven by chromedriver,
 * and a page server on 127.0.0.1 (an ephemeral port, so another origin than the server under test:
 * CORS is real) that serves one page and the files of {@code @segment/analytics-next}'s
 * {@code dist/umd} bundle under {@code /umd/}.
 *
 * <p>{@link #locate()} finds the browser and the bundle where {@code .ci/browser-test-deps} puts
 * them (overridable by the system properties {@code beacon.browser.chromium},
 * {@code beacon.browser.chromedriver}, {@code beacon.browser.analyticsNext}); when something is
 * missing it fails under {@code CI=true} and otherwise leaves a reason for {@link #assumeAvailable()},
 * which skips each test with it. Published to other modules' tests by testkit's test-jar.
 */
public final class HeadlessChromium implements AutoCloseable {
  /** The analytics-next version {@code .ci/browser-test-deps} installs. */
  public static final String ANALYTICS_NEXT_VERSION = "1.84.3";
  private static final String INSTALL = "run .ci/browser-test-deps (apt-get install chromium chromium-driver; "
      + "npm pack @segment/analytics-next@" + ANALYTICS_NEXT_VERSION + " into build/browser/analytics-next)";
  private static final Pattern BUNDLE_FILE = Pattern.compile("[A-Za-z0-9._-]{1,100}\\.js");
  /** Held so the setting sticks: Selenium warns on every session that it has no CDP classes for this Chromium. */
  private static final java.util.logging.Logger CDP_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

  private static Path chromium;
  private static Path chromedriver;
  private static Path bundle;
  private static String missingReason;

  private final HttpServer pageServer;
  private final ChromeDriver browser;
  private volatile String page = "";

  /**
   * Finds Chromium, chromedriver and the analytics-next bundle; call from {@code @BeforeAll}.
   * Fails the test class under {@code CI=true} when one is missing (CI must run browser tests).
   */
  public static synchronized void locate() {
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
    missingReason = missing.isEmpty() ? null : String.join("; ", missing) + ": " + INSTALL;
    if (missingReason != null && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI must run the browser test: " + missingReason);
    }
  }

  /**
   * Skips the calling test (with the reason and the command to run) when {@link #locate()} found
   * something missing. Call per test, in {@code @BeforeEach}: Surefire then counts each test as skipped.
   */
  public static synchronized void assumeAvailable() {
    assumeTrue(missingReason == null, () -> "browser test skipped: " + missingReason);
  }

  /**
   * Starts the page server and a headless Chromium session; {@link #assumeAvailable()} first.
   *
   * @param profile an empty directory for the browser profile (a {@code @TempDir})
   * @return the running harness, to {@link #close()} after the test
   * @throws IOException when the page server cannot bind
   */
  public static HeadlessChromium start(Path profile) throws IOException {
    return new HeadlessChromium(profile);
  }

  private HeadlessChromium(Path profile) throws IOException {
    pageServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    pageServer.createContext("/", this::servePage);
    pageServer.start();
    try {
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
    } catch (RuntimeException e) {
      pageServer.stop(0);
      throw e;
    }
  }

  /** @return the page server's base URI, {@code http://127.0.0.1:PORT/} */
  public URI pageUri() {
    return URI.create("http://127.0.0.1:" + pageServer.getAddress().getPort() + "/");
  }

  /**
   * Opens a page that loads analytics-next from {@code /umd/index.js} and runs {@code script}
   * after it; uncaught errors and unhandled rejections are kept for {@link #pageError()}.
   *
   * @param script the page's script (it may use {@code AnalyticsNext.AnalyticsBrowser})
   */
  public void open(String script) {
    page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>beacon browser test</title>"
        + "<script>window.addEventListener('error', e => { window.__beaconError = String(e.message); });\n"
        + "window.addEventListener('unhandledrejection', e => { window.__beaconError = String(e.reason); });</script>"
        + "<script src=\"/umd/index.js\"></script></head><body><script>\n"
        + script
        + "\n</script></body></html>";
    browser.get(pageUri().toString());
  }

  /**
   * The script both browser tests run: loads analytics-next with its settings from {@code cdnUrl}
   * and makes three calls — {@code page('Home', {path: '/home'})}, {@code identify('user-1', {plan: 'pro'})}
   * and {@code track('Clicked', {button: 'buy'})}.
   *
   * @param writeKey the write key the page uses
   * @param cdnUrl where analytics.js fetches {@code /v1/projects/{writeKey}/settings}
   * @param integrations the load-time {@code integrations} option, a JavaScript object literal
   * @return the script, for {@link #open(String)}
   */
  public static String pageIdentifyTrack(String writeKey, URI cdnUrl, String integrations) {
    return "window.calls = AnalyticsNext.AnalyticsBrowser.load(\n"
        + "  {writeKey: '" + writeKey + "', cdnURL: '" + cdnUrl + "'},\n"
        + "  {disableClientPersistence: true, integrations: " + integrations + "});\n"
        + "window.calls.page('Home', {path: '/home'});\n"
        + "window.calls.identify('user-1', {plan: 'pro'});\n"
        + "window.calls.track('Clicked', {button: 'buy'});";
  }

  /** @return the page's first uncaught error or unhandled rejection, or null */
  public Object pageError() {
    return ((JavascriptExecutor) browser).executeScript("return window.__beaconError || null");
  }

  /** @return the browser console so far, for failure messages (never throws) */
  public String console() {
    try {
      return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString)
          .collect(Collectors.joining(" | "));
    } catch (RuntimeException e) {
      return "(unavailable: " + e + ")";
    }
  }

  /** Quits the browser and stops the page server. */
  @Override
  public void close() {
    try {
      browser.quit();
    } finally {
      pageServer.stop(0);
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
