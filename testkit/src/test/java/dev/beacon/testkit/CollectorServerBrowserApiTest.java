package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What analytics.js (Segment's browser SDK, analytics-next) needs from the collector, on the wire:
 * text/plain bodies with the key inside, its one-letter paths and batch paths, CORS with
 * preflights, and its settings endpoint. {@link AnalyticsNextBrowserTest} runs the real SDK.
 */
class CollectorServerBrowserApiTest {
  private static final String KEY = "browser-test-key";
  private static final String PAGE_ORIGIN = "http://127.0.0.1:9";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String LIB = "\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"npm:next-1.84.3\"}}";

  @RegisterExtension
  static final CollectorExtension COLLECTOR = new CollectorExtension(b -> b.writeKey(KEY));

  private static HttpResponse<String> send(URI base, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A message as analytics.js's default dispatcher posts it: the key in the body, as text/plain. */
  private static String single(String type, String extra, String id) {
    return "{\"type\":\"" + type + "\"," + extra + "\"anonymousId\":\"anon-1\",\"messageId\":\"" + id
        + "\",\"timestamp\":\"2026-12-07T14:00:00.000Z\",\"sentAt\":\"2026-12-07T14:00:00.100Z\","
        + "\"writeKey\":\"" + KEY + "\",\"_metadata\":{\"bundled\":[\"Segment.io\"],\"unbundled\":[]}," + LIB + "}";
  }

  @ParameterizedTest(name = "{0} is a {1}")
  @CsvSource(delimiter = '|', value = {"/v1/p|page|", "/v1/i|identify|\"traits\":{\"plan\":\"pro\"},",
      "/v1/t|track|\"event\":\"Clicked\",", "/v1/s|screen|", "/v1/g|group|\"groupId\":\"g1\",",
      "/v1/a|alias|\"previousId\":\"old\",\"userId\":\"u1\","})
  void acceptsAnalyticsJsOneLetterPathsWithTextPlainBodiesAndTheKeyInTheBody(String path, String type, String extra)
      throws Exception {
    HttpResponse<String> r = send(COLLECTOR.uri(), "POST", path, single(type, extra == null ? "" : extra, "m-" + type),
        "Content-Type", "text/plain", "Origin", PAGE_ORIGIN);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(PAGE_ORIGIN);
    CapturedMessage m = COLLECTOR.server().messages().get(0);
    assertThat(m.type()).isEqualTo(type);
    assertThat(m.json()).doesNotContainKey("writeKey");
  }

  @Test
  void refusesAOneLetterPathWhoseBodyHasAnotherType() throws Exception {
    HttpResponse<String> r = send(COLLECTOR.uri(), "POST", "/v1/p", single("identify", "", "x"),
        "Content-Type", "text/plain");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(COLLECTOR.server().messages()).isEmpty();
  }

  @ParameterizedTest(name = "batch at {0}")
  @ValueSource(strings = {"/v1/b", "/b"})
  void acceptsTheBatchingDispatchersBatchesAndNeverRecordsTheKeyInsideEachMessage(String path) throws Exception {
    String m1 = single("page", "", "b1").replaceAll(",\"sentAt\":\"[^\"]*\"", "");
    String m2 = single("track", "\"event\":\"Clicked\",", "b2").replaceAll(",\"sentAt\":\"[^\"]*\"", "");
    String body = "{\"writeKey\":\"" + KEY + "\",\"batch\":[" + m1 + "," + m2 + "],\"sentAt\":\"2026-12-07T14:00:01.000Z\"}";

    HttpResponse<String> r = send(COLLECTOR.uri(), "POST", path, body, "Content-Type", "text/plain");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(COLLECTOR.server().messages()).extracting(CapturedMessage::messageId).containsExactly("b1", "b2");
    assertThat(COLLECTOR.server().messages()).allSatisfy(m -> assertThat(m.json()).doesNotContainKey("writeKey"));
  }

  @Test
  void takesTheKeyFromTheBatchedMessagesWhenTheEnvelopeHasNone() throws Exception {
    String body = "{\"batch\":[" + single("page", "", "k1") + "]}";
    assertThat(send(COLLECTOR.uri(), "POST", "/v1/b", body, "Content-Type", "text/plain").statusCode()).isEqualTo(200);
    String wrong = "{\"batch\":[" + single("page", "", "k2").replace(KEY, "wrong-key") + "]}";
    assertThat(send(COLLECTOR.uri(), "POST", "/v1/b", wrong, "Content-Type", "text/plain").statusCode()).isEqualTo(401);
    assertThat(COLLECTOR.server().messages()).extracting(CapturedMessage::messageId).containsExactly("k1");
  }

  @Test
  void answersACorsPreflightFromAnyOriginByDefault() throws Exception {
    HttpResponse<String> r = send(COLLECTOR.uri(), "OPTIONS", "/v1/t", null, "Origin", PAGE_ORIGIN,
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type");

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(PAGE_ORIGIN);
    assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
    assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).contains("POST, OPTIONS");
    assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).contains("authorization,content-type");
    assertThat(r.headers().allValues("Vary")).contains("Origin");
    CollectorStats s = COLLECTOR.server().stats();
    assertThat(s.requests()).isEqualTo(1);
    assertThat(s.rejected()).isZero();
    assertThat(COLLECTOR.server().requests().get(0).detail()).isEqualTo("CORS preflight");
  }

  @Test
  void answersErrorsWithCorsHeadersSoThePageCanReadThem() throws Exception {
    HttpResponse<String> r = send(COLLECTOR.uri(), "POST", "/v1/t", single("track", "", "no-event"),
        "Content-Type", "text/plain", "Origin", PAGE_ORIGIN);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(PAGE_ORIGIN);
    assertThat(r.headers().firstValue("Access-Control-Expose-Headers")).contains("Retry-After");
  }

  @Test
  void givesNoCorsHeadersToAMalformedOrigin() throws Exception {
    HttpResponse<String> r = send(COLLECTOR.uri(), "OPTIONS", "/v1/t", null, "Origin", "http://a b/<script>",
        "Access-Control-Request-Method", "POST");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void allowOriginsLimitsCorsToTheGivenOrigins() throws Exception {
    try (CollectorServer s = CollectorServer.builder().writeKey(KEY).allowOrigins(PAGE_ORIGIN).build().start()) {
      HttpResponse<String> ok = send(s.uri(), "OPTIONS", "/v1/b", null, "Origin", PAGE_ORIGIN,
          "Access-Control-Request-Method", "POST");
      HttpResponse<String> other = send(s.uri(), "OPTIONS", "/v1/b", null, "Origin", "http://evil.example",
          "Access-Control-Request-Method", "POST");
      HttpResponse<String> post = send(s.uri(), "POST", "/v1/t", single("track", "\"event\":\"E\",", "o1"),
          "Content-Type", "text/plain", "Origin", "http://evil.example");

      assertThat(ok.statusCode()).isEqualTo(204);
      assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).contains(PAGE_ORIGIN);
      assertThat(other.statusCode()).isEqualTo(403);
      assertThat(other.body()).contains("origin not allowed");
      assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).as("the browser hides this answer").isEmpty();
    }
    assertThatThrownBy(() -> CollectorServer.builder().allowOrigins("http://localhost:3000/app"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowOrigins")
        .hasMessageContaining("http://localhost:3000/app");
  }

  @Test
  void servesAnalyticsJsSettingsPointingItsSegmentIntegrationHere() throws Exception {
    HttpResponse<String> r = send(COLLECTOR.uri(), "GET", "/v1/projects/" + KEY + "/settings", null,
        "Origin", PAGE_ORIGIN);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(PAGE_ORIGIN);
    String authority = COLLECTOR.uri().getAuthority();
    assertThat(r.body()).contains("\"Segment.io\":{\"apiKey\":\"" + KEY + "\",\"apiHost\":\"" + authority
        + "/v1\",\"protocol\":\"http\"", "\"sampleRate\":0");
    assertThat(COLLECTOR.server().requests()).singleElement().satisfies(req -> {
      assertThat(req.path()).isEqualTo("/v1/projects/***/settings").doesNotContain(KEY);
      assertThat(req.status()).isEqualTo(200);
    });
  }

  @Test
  void neverLogsTheKeyOfAMistypedSettingsPath() throws Exception {
    HttpResponse<String> r = send(COLLECTOR.uri(), "GET", "/v1/projects/" + KEY + "/setting", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).doesNotContain(KEY);
    assertThat(COLLECTOR.server().requests().get(0).path()).isEqualTo("/v1/projects/***");
  }

  @Test
  void hasNoSettingsForAnotherWriteKey() throws Exception {
    HttpResponse<String> r = send(COLLECTOR.uri(), "GET", "/v1/projects/other-key/settings", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).doesNotContain("other-key");
    assertThat(COLLECTOR.server().requests().get(0).path()).doesNotContain("other-key");
  }
}
