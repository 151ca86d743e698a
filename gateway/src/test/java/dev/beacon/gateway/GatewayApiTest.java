package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static dev.beacon.gateway.GatewayFixture.KEY_LIMITED;
import static dev.beacon.gateway.GatewayFixture.basic;
import static dev.beacon.gateway.GatewayFixture.batch;
import static dev.beacon.gateway.GatewayFixture.post;
import static dev.beacon.gateway.GatewayFixture.send;
import static dev.beacon.gateway.GatewayFixture.track;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayApiTest {
  @TempDir
  Path dir;
  RecordingSink sink;
  Gateway gateway;
  URI base;
  Path keys;

  @BeforeEach
  void start() throws Exception {
    sink = new RecordingSink();
    keys = GatewayFixture.keysFile(dir);
    gateway = Gateway.builder(keys, sink).listen("127.0.0.1", 0)
        .allowOrigins(Set.of("http://shop.test"))
        .keysReloadInterval(Duration.ofMillis(50))
        .build().start();
    base = gateway.uri();
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(10));
  }

  @Test
  void everyRouteAcceptsAndTheSinkGetsEventsWithServerFields() throws Exception {
    List<String> batchRoutes = List.of("/v1/batch", "/v1/import", "/v1/b", "/b", "/v1/import/");
    for (String r : batchRoutes) {
      assertThat(post(base, r, batch(track("u-" + r, "Batch")), KEY).statusCode()).as(r).isEqualTo(200);
    }
    Map<String, String> singles = Map.ofEntries(
        Map.entry("/v1/identify", "{\"userId\":\"u\",\"traits\":{\"a\":1}}"),
        Map.entry("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}"),
        Map.entry("/v1/page", "{\"userId\":\"u\",\"name\":\"Home\"}"),
        Map.entry("/v1/screen", "{\"userId\":\"u\",\"name\":\"Main\"}"),
        Map.entry("/v1/group", "{\"userId\":\"u\",\"groupId\":\"g\"}"),
        Map.entry("/v1/alias", "{\"userId\":\"u\",\"previousId\":\"p\"}"),
        Map.entry("/v1/i", "{\"anonymousId\":\"a\"}"),
        Map.entry("/v1/t", "{\"anonymousId\":\"a\",\"event\":\"E\"}"),
        Map.entry("/v1/p", "{\"anonymousId\":\"a\"}"),
        Map.entry("/v1/s", "{\"anonymousId\":\"a\"}"),
        Map.entry("/v1/g", "{\"anonymousId\":\"a\",\"groupId\":\"g\"}"),
        Map.entry("/v1/a", "{\"userId\":\"u\",\"previousId\":\"p\"}"));
    for (Map.Entry<String, String> e : singles.entrySet()) {
      assertThat(post(base, e.getKey(), e.getValue(), KEY).statusCode()).as(e.getKey()).isEqualTo(200);
    }
    List<Map<String, Object>> got = sink.messages();
    assertThat(got).hasSize(batchRoutes.size() + singles.size());
    for (Map<String, Object> m : got) {
      assertThat(m).containsKeys("receivedAt", "messageId").doesNotContainKey("writeKey");
      assertThat(((Map<?, ?>) m.get("context")).get("ip")).isEqualTo("127.0.0.1");
    }
    assertThat(sink.events()).allSatisfy(e -> assertThat(e.source()).isEqualTo("web"));
    assertThat(sink.events().stream().map(Sink.Event::type)).contains("identify", "track", "page", "screen",
        "group", "alias");
  }

  @Test
  void textPlainWithTheKeyInTheBodyIsAcceptedAsAnalyticsJsSendsIt() throws Exception {
    String body = "{\"type\":\"track\",\"anonymousId\":\"a-1\",\"event\":\"Clicked\",\"writeKey\":\"" + KEY + "\"}";
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/t")).header("Content-Type", "text/plain")
        .header("Origin", "http://shop.test").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://shop.test");
    assertThat(sink.events()).singleElement().satisfies(e -> {
      assertThat(e.key()).isEqualTo("a-1");
      assertThat(new String(e.json(), StandardCharsets.UTF_8)).doesNotContain(KEY);
    });
  }

  @Test
  void aMissingMessageIdIsSetAndASentOneKept() throws Exception {
    String withId = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"mine-1\"}";
    assertThat(post(base, "/v1/batch", batch(withId, track("u", "E")), KEY).statusCode()).isEqualTo(200);
    List<Map<String, Object>> got = sink.messages();
    assertThat(got.get(0).get("messageId")).isEqualTo("mine-1");
    assertThat((String) got.get(1).get("messageId")).hasSize(36);
  }

  @Test
  void gzipBodiesAreInflated() throws Exception {
    byte[] gz = gzip(batch(track("u", "Zipped")).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/batch"))
        .header("Authorization", basic(KEY)).header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(gz)).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(sink.messages()).singleElement().satisfies(m -> assertThat(m.get("event")).isEqualTo("Zipped"));
  }

  @Test
  void aGzipBombIsRefusedAsTooLargeWithoutBeingInflated() throws Exception {
    byte[] bomb = gzip(new byte[100 * 1024 * 1024]); // 100 MB of zeros, about 100 KB on the wire
    assertThat(bomb.length).isLessThan(500 * 1024);
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/batch"))
        .header("Authorization", basic(KEY)).header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bomb)).build());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Payload too large").contains("once inflated");
    assertThat(sink.events()).isEmpty();
  }

  @Test
  void segmentsLimitsAreEnforcedEachNamedInTheAnswer() throws Exception {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 2501; i++) {
      many.add("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}");
    }
    HttpResponse<String> tooMany = post(base, "/v1/batch", batch(many.toArray(String[]::new)), KEY);
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(tooMany.body()).contains("2501 messages; the limit is 2500");

    String big = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"x\":\"" + "a".repeat(33 * 1024) + "\"}}";
    HttpResponse<String> tooBig = post(base, "/v1/batch", batch(big), KEY);
    assertThat(tooBig.statusCode()).isEqualTo(400);
    assertThat(tooBig.body()).contains("batch[0] is").contains("the limit is 32768");

    HttpResponse<String> invalid = post(base, "/v1/track", "{\"userId\":\"u\"}", KEY);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body()).contains("(track): \\\"event\\\" must be a non-blank string");
    assertThat(sink.events()).isEmpty();
  }

  @Test
  void wrongOrMissingKeysAre401() throws Exception {
    assertThat(post(base, "/v1/batch", batch(track("u", "E")), "nope").statusCode()).isEqualTo(401);
    HttpResponse<String> none = post(base, "/v1/batch", batch(track("u", "E")), null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
    String bodyKey = "{\"writeKey\":\"wrong\",\"batch\":[" + track("u", "E") + "]}";
    assertThat(post(base, "/v1/batch", bodyKey, null).statusCode()).isEqualTo(401);
    assertThat(sink.events()).isEmpty();
  }

  @Test
  void aSourceOverItsRateGets429WithRetryAfterAndReset() throws Exception {
    // ratePerSecond 2: a burst of 2 passes, a batch of 3 more does not.
    assertThat(post(base, "/v1/batch", batch(track("u", "A"), track("u", "B")), KEY_LIMITED).statusCode()).isEqualTo(200);
    HttpResponse<String> r = post(base, "/v1/batch", batch(track("u", "C"), track("u", "D")), KEY_LIMITED);
    assertThat(r.statusCode()).isEqualTo(429);
    long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retry).isBetween(1L, 2L);
    long reset = Long.parseLong(r.headers().firstValue("X-RateLimit-Reset").orElseThrow());
    assertThat(reset).isGreaterThanOrEqualTo(System.currentTimeMillis() / 1000);
    assertThat(r.body()).contains("rate limit of source limited");
    assertThat(sink.events()).hasSize(2);
  }

  @Test
  void preflightsAndCorsFollowTheAllowedOrigins() throws Exception {
    HttpResponse<String> ok = send(HttpRequest.newBuilder(base.resolve("/v1/b"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://shop.test")
        .header("Access-Control-Request-Headers", "content-type").build());
    assertThat(ok.statusCode()).isEqualTo(204);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://shop.test");
    assertThat(ok.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST, OPTIONS");
    assertThat(ok.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type");
    HttpResponse<String> other = send(HttpRequest.newBuilder(base.resolve("/v1/b"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://evil.test").build());
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void settingsPointAnalyticsJsAtTheGatewayForKnownKeysOnly() throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/projects/" + KEY + "/settings")).GET().build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"apiHost\":\"" + base.getAuthority() + "/v1\"").contains("\"protocol\":\"http\"");
    assertThat(send(HttpRequest.newBuilder(base.resolve("/v1/projects/unknown/settings")).GET().build()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void wrongMethodsAndUnknownPathsAreRefused() throws Exception {
    HttpResponse<String> get = send(HttpRequest.newBuilder(base.resolve("/v1/batch")).GET().build());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST, OPTIONS");
    assertThat(post(base, "/v2/nothing", "{}", KEY).statusCode()).isEqualTo(404);
  }

  @Test
  void healthReadyAndMetricsAnswer() throws Exception {
    assertThat(send(HttpRequest.newBuilder(base.resolve("/health")).GET().build()).statusCode()).isEqualTo(200);
    assertThat(send(HttpRequest.newBuilder(base.resolve("/ready")).GET().build()).statusCode()).isEqualTo(200);
    sink.ready(false);
    HttpResponse<String> notReady = send(HttpRequest.newBuilder(base.resolve("/ready")).GET().build());
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("not ready");
    post(base, "/v1/batch", batch(track("u", "E")), KEY);
    post(base, "/v1/batch", "{", KEY);
    String metrics = send(HttpRequest.newBuilder(base.resolve("/metrics")).GET().build()).body();
    assertThat(metrics).contains("gateway_requests_total{route=\"batch\",status=\"200\"} 1.0")
        .contains("gateway_requests_total{route=\"batch\",status=\"400\"} 1.0")
        .contains("gateway_events_accepted_total{source=\"web\"} 1.0")
        .contains("gateway_events_rejected_total{reason=\"invalid\"} 1.0")
        .contains("gateway_sink_ready 0.0")
        .contains("gateway_sink_append_seconds");
  }

  @Test
  void anUnavailableSinkIs503WithRetryAfterNeverA200() throws Exception {
    sink.failWith(() -> new Sink.Unavailable("journal full"));
    HttpResponse<String> r = post(base, "/v1/batch", batch(track("u", "E")), KEY);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(r.body()).contains("journal full");
    sink.failWith(() -> new Sink.Refused("never"));
    assertThat(post(base, "/v1/batch", batch(track("u", "E")), KEY).statusCode()).isEqualTo(500);
    sink.failWith(() -> new IllegalStateException("bug"));
    assertThat(post(base, "/v1/batch", batch(track("u", "E")), KEY).statusCode()).isEqualTo(503);
    assertThat(gateway.acceptedEvents()).isZero();
  }

  @Test
  void aBrokenSinkIsLoggedOnceNotOncePerRequest() throws Exception {
    sink.failWith(() -> new IllegalStateException("broken sink"));
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < 5; i++) {
        assertThat(post(base, "/v1/batch", batch(track("u", "E")), KEY).statusCode()).isEqualTo(503);
      }
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log.split("sink append failed", -1)).hasSize(2);
    assertThat(log).contains("broken sink");
  }

  @Test
  void theKeysFileIsReloadedAndABadNewFileKeepsTheOldKeys() throws Exception {
    Files.writeString(keys, "{\"sources\":[{\"writeKey\":\"new-key\",\"name\":\"app\"}]}");
    GatewayFixture.await("the new key is accepted", () -> status("new-key") == 200);
    assertThat(status(KEY)).isEqualTo(401);
    Files.writeString(keys, "{\"sources\":[{\"writeKey\":\"\",\"name\":\"broken\"}], \"x\":");
    // The bad file is seen (it is of another size) and refused: the key in use still works.
    GatewayFixture.await("the bad file is refused", () -> gateway.keys.refusedReloads() == 1);
    assertThat(status("new-key")).isEqualTo(200);
  }

  @Test
  void closeAnswersTheRequestInFlightThenClosesTheSink() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    sink.holdAppends(release);
    // Own threads, not the common pool: with 2 cores the common pool may have one worker, and the
    // close queued behind the blocked post would never start (the post then times out with 503).
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
    java.util.concurrent.CompletableFuture<HttpResponse<String>> inFlight = java.util.concurrent.CompletableFuture
        .supplyAsync(() -> {
          try {
            return post(base, "/v1/batch", batch(track("u", "Late")), KEY);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, threads);
    GatewayFixture.await("the request reached the sink", () -> gateway.inFlight.get() == 1);
    java.util.concurrent.CompletableFuture<Boolean> closing =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> gateway.close(Duration.ofSeconds(30)), threads);
    GatewayFixture.await("the gateway stops accepting", () -> gateway.draining);
    release.countDown();
    assertThat(inFlight.get().statusCode()).isEqualTo(200);
    assertThat(closing.get()).isTrue();
    assertThat(sink.closed).isTrue();
    assertThat(sink.events()).hasSize(1);
    threads.shutdown();
  }

  private int status(String key) {
    try {
      return post(base, "/v1/batch", batch(track("u", "E")), key).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}
