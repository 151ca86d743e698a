package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The collector speaks Segment's API: auth, gzip, limits, validation, faults and counters. */
class CollectorServerTest {
  private static final String KEY = "collector-test-key";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String LIB = "\"context\":{\"library\":{\"name\":\"test\",\"version\":\"1\"}}";

  @RegisterExtension
  static final CollectorExtension COLLECTOR = new CollectorExtension(b -> b.writeKey(KEY));

  private static String track(String id) {
    return "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"messageId\":\"" + id
        + "\",\"timestamp\":\"2024-01-15T10:30:00.000Z\"," + LIB + "}";
  }

  private static String batch(String... messages) {
    return "{\"batch\":[" + String.join(",", messages) + "],\"sentAt\":\"2024-01-15T10:30:01.000Z\"}";
  }

  private static String basic(String key) {
    return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> post(URI base, String path, byte[] body, String auth, boolean gzip) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    if (gzip) {
      b.header("Content-Encoding", "gzip");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return post(COLLECTOR.uri(), path, body.getBytes(StandardCharsets.UTF_8), basic(KEY), false);
  }

  static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  @Test
  void acceptsAndRecordsAValidGzippedBatch() throws Exception {
    String body = batch(track("m1"), track("m2"));
    HttpResponse<String> r = post(COLLECTOR.uri(), "/v1/batch", gzip(body), basic(KEY), true);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"success\":true");
    BeaconAssertions.assertThat(COLLECTOR.server()).hasMessageCount(2).hasTracked("Signed Up");
    CollectorStats s = COLLECTOR.server().stats();
    assertThat(s.requests()).isEqualTo(1);
    assertThat(s.messages()).isEqualTo(2);
    assertThat(s.bytesUncompressed()).isEqualTo(body.length());
    assertThat(s.bytesReceived()).isLessThan(s.bytesUncompressed());
    assertThat(COLLECTOR.server().requests().get(0).messageIds()).containsExactly("m1", "m2");
  }

  @Test
  void refusesAMissingOrWrongWriteKeyWith401() throws Exception {
    byte[] body = batch(track("m1")).getBytes(StandardCharsets.UTF_8);
    assertThat(post(COLLECTOR.uri(), "/v1/batch", body, null, false).statusCode()).isEqualTo(401);
    assertThat(post(COLLECTOR.uri(), "/v1/batch", body, basic("wrong"), false).statusCode()).isEqualTo(401);
    assertThat(post(COLLECTOR.uri(), "/v1/batch", body, "Bearer x", false).statusCode()).isEqualTo(401);
    assertThat(COLLECTOR.server().messages()).isEmpty();
    assertThat(COLLECTOR.server().stats().count(401)).isEqualTo(3);
  }

  @Test
  void acceptsTheWriteKeyInTheBodyWhenNoHeaderIsSent() throws Exception {
    String body = "{\"writeKey\":\"" + KEY + "\"," + batch(track("m1")).substring(1);
    assertThat(post(COLLECTOR.uri(), "/v1/batch", body.getBytes(StandardCharsets.UTF_8), null, false).statusCode())
        .isEqualTo(200);
  }

  @ParameterizedTest(name = "400 for {0}")
  @ValueSource(strings = {
      "{\"type\":\"bogus\",\"userId\":\"u\"," + LIB + "}",
      "{\"userId\":\"u\"," + LIB + "}",
      "{\"type\":\"track\",\"userId\":\"u\"," + LIB + "}",
      "{\"type\":\"track\",\"event\":\" \",\"userId\":\"u\"," + LIB + "}",
      "{\"type\":\"identify\"," + LIB + "}",
      "{\"type\":\"identify\",\"userId\":\"\"," + LIB + "}",
      "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"yesterday\"," + LIB + "}",
      "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-01-15T10:30:00Z+01:00\"," + LIB + "}",
      "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":1705314600," + LIB + "}",
      "{\"type\":\"identify\",\"userId\":true," + LIB + "}",
      "{\"type\":\"identify\",\"anonymousId\":{\"id\":1}," + LIB + "}",
      "{\"type\":\"group\",\"userId\":\"u\"," + LIB + "}",
      "{\"type\":\"alias\",\"userId\":\"u\"," + LIB + "}",
      "{\"type\":\"alias\",\"anonymousId\":\"a\",\"previousId\":\"p\"," + LIB + "}",
      "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":[1]," + LIB + "}",
      "{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"," + LIB + "}"})
  void refusesAnInvalidMessageWith400(String message) throws Exception {
    HttpResponse<String> r = post("/v1/batch", batch(track("ok"), message));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("batch[1]");
    assertThat(COLLECTOR.server().messages()).isEmpty();
  }

  @Test
  void servesTheLegacyImportAliasWithTheWriteKeyInTheBody() throws Exception {
    String body = "{\"writeKey\":\"" + KEY + "\"," + batch(track("i1")).substring(1);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    assertThat(post(COLLECTOR.uri(), "/v1/import", bytes, null, false).statusCode()).isEqualTo(200);
    assertThat(post(COLLECTOR.uri(), "/v1/import/", bytes, null, false).statusCode())
        .as("analytics-java's default path ends with a slash").isEqualTo(200);
    assertThat(post(COLLECTOR.uri(), "/v1/import", bytes, basic("wrong"), false).statusCode()).isEqualTo(401);
    String wrongKey = body.replace(KEY, "wrong");
    assertThat(post(COLLECTOR.uri(), "/v1/import", wrongKey.getBytes(StandardCharsets.UTF_8), null, false)
        .statusCode()).isEqualTo(401);
    assertThat(COLLECTOR.server().messages()).extracting(CapturedMessage::messageId).containsExactly("i1", "i1");
  }

  @Test
  void acceptsAMessageWithoutContextLibraryAndCountsAWarning() throws Exception {
    String raw = "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"messageId\":\"raw1\"}";
    String withContext = "{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"raw2\","
        + "\"context\":{\"ip\":\"1.2.3.4\"}}";
    HttpResponse<String> r = post("/v1/batch", batch(raw, withContext, track("lib")));

    assertThat(r.statusCode()).isEqualTo(200);
    BeaconAssertions.assertThat(COLLECTOR.server()).hasMessageCount(3);
    CollectorStats s = COLLECTOR.server().stats();
    assertThat(s.warnings()).containsExactly(entry("no context.library", 2L));
    assertThat(s.warningCount()).isEqualTo(2);
    assertThat(s.rejected()).isZero();
    assertThat(COLLECTOR.server().requests().get(0).detail())
        .startsWith("accepted with 2 warning(s)").contains("batch[0] (track)", "batch[1] (identify)", "context.library");
  }

  @Test
  void strictModeRefusesWhatAnSdkShouldNotSend() throws Exception {
    try (CollectorServer s = CollectorServer.builder().writeKey(KEY).strict(true).build().start()) {
      String raw = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\"}";
      HttpResponse<String> noLibrary = post(s.uri(), "/v1/batch", batch(track("ok"), raw)
          .getBytes(StandardCharsets.UTF_8), basic(KEY), false);
      assertThat(noLibrary.statusCode()).isEqualTo(400);
      assertThat(noLibrary.body()).contains("batch[1]", "context.library", "strict");
      String noZone = track("z").replace("2024-01-15T10:30:00.000Z", "2024-01-15T10:30:00");
      HttpResponse<String> zoneless = post(s.uri(), "/v1/batch", batch(noZone).getBytes(StandardCharsets.UTF_8),
          basic(KEY), false);
      assertThat(zoneless.statusCode()).isEqualTo(400);
      assertThat(zoneless.body()).contains("\\\"timestamp\\\" has no zone");
      assertThat(s.messages()).isEmpty();
      assertThat(s.stats().warnings()).isEmpty();
    }
  }

  @ParameterizedTest(name = "accepts timestamp {0}")
  @ValueSource(strings = {"2024-01-15T10:30:00.000Z", "2024-01-15T10:30:00Z", "2024-01-15T10:30Z",
      "2024-01-15T10:30:00.123456789+01:00", "2024-01-15T10:30:00+0100", "2024-01-15T10:30:00-05",
      "2024-01-15t10:30:00z", "2024-01-15T10:30:00.5+00:00"})
  void acceptsTheIso8601FormsSegmentReads(String time) throws Exception {
    String m = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"timestamp\":\"" + time
        + "\",\"originalTimestamp\":\"" + time + "\",\"sentAt\":\"" + time + "\"," + LIB + "}";
    HttpResponse<String> r = post("/v1/batch", batch(m).replace("2024-01-15T10:30:01.000Z", time));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(COLLECTOR.server().messages().get(0).timestamp()).as("recorded as sent").isEqualTo(time);
    assertThat(COLLECTOR.server().stats().warnings()).isEmpty();
  }

  @Test
  void readsATimeWithoutAZoneAsUtcWithAWarning() throws Exception {
    String m = track("nz").replace("2024-01-15T10:30:00.000Z", "2024-01-15T10:30:00");
    assertThat(post("/v1/batch", batch(m)).statusCode()).isEqualTo(200);
    assertThat(COLLECTOR.server().stats().warnings())
        .containsExactly(entry("timestamp without a zone (read as UTC)", 1L));
  }

  @Test
  void storesIdsSentAsNumbersAsStrings() throws Exception {
    String identify = "{\"type\":\"identify\",\"userId\":12345,\"anonymousId\":67.5," + LIB + "}";
    String group = "{\"type\":\"group\",\"userId\":7,\"groupId\":42," + LIB + "}";
    String alias = "{\"type\":\"alias\",\"userId\":8,\"previousId\":9," + LIB + "}";
    assertThat(post("/v1/batch", batch(identify, group, alias)).statusCode()).isEqualTo(200);

    List<CapturedMessage> m = COLLECTOR.server().messages();
    assertThat(m.get(0).json()).containsEntry("userId", "12345").containsEntry("anonymousId", "67.5");
    assertThat(m.get(1).json()).containsEntry("userId", "7").containsEntry("groupId", "42");
    assertThat(m.get(2).json()).containsEntry("userId", "8").containsEntry("previousId", "9");
  }

  @Test
  void mergesTheBatchContextAndIntegrationsIntoEveryMessage() throws Exception {
    String own = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"context\":{\"ip\":\"9.9.9.9\","
        + "\"library\":{\"version\":\"2\"}},\"integrations\":{\"Amplitude\":false}}";
    String bare = "{\"type\":\"identify\",\"userId\":\"u\"}";
    String body = "{\"batch\":[" + own + "," + bare + "],"
        + "\"context\":{\"library\":{\"name\":\"raw-client\",\"version\":\"1\"},\"ip\":\"1.1.1.1\"},"
        + "\"integrations\":{\"All\":true,\"Amplitude\":true}}";
    assertThat(post("/v1/batch", body).statusCode()).isEqualTo(200);

    List<CapturedMessage> m = COLLECTOR.server().messages();
    assertThat(m.get(0).get("context.library.name")).isEqualTo("raw-client");
    assertThat(m.get(0).get("context.library.version")).as("the message's own value wins").isEqualTo("2");
    assertThat(m.get(0).get("context.ip")).isEqualTo("9.9.9.9");
    assertThat(m.get(0).integrations()).containsEntry("All", true).containsEntry("Amplitude", false);
    assertThat(m.get(1).get("context.library.version")).isEqualTo("1");
    assertThat(m.get(1).get("context.ip")).isEqualTo("1.1.1.1");
    assertThat(m.get(1).integrations()).containsEntry("All", true).containsEntry("Amplitude", true);
    assertThat(COLLECTOR.server().stats().warnings()).as("the batch context has the library").isEmpty();
  }

  @Test
  void refusesBodiesThatAreNotSegmentBatches() throws Exception {
    assertThat(post("/v1/batch", "not json").statusCode()).isEqualTo(400);
    assertThat(post("/v1/batch", "{\"batch\":{}}").statusCode()).isEqualTo(400);
    assertThat(post("/v1/batch", "{\"messages\":[]}").statusCode()).isEqualTo(400);
    assertThat(post("/v1/batch", batch(track("m")).replace("2024-01-15T10:30:01.000Z", "later")).statusCode())
        .isEqualTo(400);
    assertThat(post("/v1/nothing", batch(track("m"))).statusCode()).isEqualTo(404);
  }

  @Test
  void answersSegmentsSizeLimitsWith400SayingTooLarge() throws Exception {
    String big = "{\"type\":\"track\",\"event\":\"Big\",\"userId\":\"u\",\"properties\":{\"blob\":\""
        + "x".repeat(33 * 1024) + "\"}," + LIB + "}";
    HttpResponse<String> oneBig = post("/v1/batch", batch(track("m"), big));
    assertThat(oneBig.statusCode()).isEqualTo(400);
    assertThat(oneBig.body()).contains("too large", "batch[1]");

    List<String> many = new ArrayList<>();
    for (int i = 0; i < 2_501; i++) {
      many.add(track("m" + i));
    }
    HttpResponse<String> tooMany = post("/v1/batch", batch(many.toArray(new String[0])));
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(tooMany.body()).contains("too large", "2501 messages");

    List<String> heavy = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      heavy.add("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"properties\":{\"b\":\""
          + "y".repeat(30_000) + "\"}," + LIB + "}");
    }
    HttpResponse<String> tooBig = post(COLLECTOR.uri(), "/v1/batch",
        gzip(batch(heavy.toArray(new String[0]))), basic(KEY), true);
    assertThat(tooBig.statusCode()).isEqualTo(400);
    assertThat(tooBig.body()).contains("too large");
    assertThat(COLLECTOR.server().messages()).isEmpty();
  }

  @Test
  void canAnswerTheSizeLimitsWith413() throws Exception {
    try (CollectorServer s = CollectorServer.builder().writeKey(KEY).sizeLimitStatus(413).maxBatchMessages(1)
        .build().start()) {
      byte[] body = batch(track("a"), track("b")).getBytes(StandardCharsets.UTF_8);
      assertThat(post(s.uri(), "/v1/batch", body, basic(KEY), false).statusCode()).isEqualTo(413);
    }
  }

  @Test
  void servesTheSingleCallEndpoints() throws Exception {
    String noType = "{\"userId\":\"u1\",\"event\":\"Clicked\",\"messageId\":\"s1\"," + LIB + "}";
    assertThat(post("/v1/track", noType).statusCode()).isEqualTo(200);
    assertThat(post("/v1/identify", noType).statusCode()).as("a track sent to identify is fine without type")
        .isEqualTo(200);
    assertThat(post("/v1/identify", track("s2")).statusCode()).as("type contradicts the path").isEqualTo(400);
    assertThat(post("/v1/alias", "{\"userId\":\"u\"," + LIB + "}").statusCode()).isEqualTo(400);
    assertThat(COLLECTOR.server().messages()).extracting(CapturedMessage::type).containsExactly("track", "identify");
  }

  @Test
  void countsDuplicatesByMessageId() throws Exception {
    post("/v1/batch", batch(track("d1"), track("d2")));
    post("/v1/batch", batch(track("d1")));
    CollectorStats s = COLLECTOR.server().stats();
    assertThat(s.messages()).isEqualTo(3);
    assertThat(s.distinctMessageIds()).isEqualTo(2);
    assertThat(s.duplicates()).isEqualTo(1);
    assertThat(COLLECTOR.server().duplicateMessageIds()).containsEntry("d1", 2).hasSize(1);
  }

  @Test
  void playsScriptedFaultsInOrderThenServesNormally() throws Exception {
    COLLECTOR.server().failNext(1, ServerFault.status(429).withRetryAfterSeconds(3))
        .failNext(1, ServerFault.dropConnection())
        .failNext(1, ServerFault.status(500).after(Duration.ofMillis(100)));
    HttpResponse<String> first = post("/v1/batch", batch(track("f1")));
    assertThat(first.statusCode()).isEqualTo(429);
    assertThat(first.headers().firstValue("Retry-After")).contains("3");
    assertThatThrownBy(() -> post("/v1/batch", batch(track("f1")))).isInstanceOf(IOException.class);
    long t0 = System.nanoTime();
    assertThat(post("/v1/batch", batch(track("f1"))).statusCode()).isEqualTo(500);
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(90);
    assertThat(post("/v1/batch", batch(track("f1"))).statusCode()).isEqualTo(200);

    CollectorStats s = COLLECTOR.server().stats();
    assertThat(s.faultsInjected()).isEqualTo(3);
    assertThat(s.count(0)).isEqualTo(1);
    assertThat(COLLECTOR.server().requests()).allSatisfy(r -> assertThat(r.messageIds()).containsExactly("f1"));
  }

  @Test
  void failsARandomFractionReproduciblyFromTheSeed() throws Exception {
    COLLECTOR.server().failRandomly(0.5, ServerFault.status(503));
    List<Integer> first = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      first.add(post("/v1/batch", batch(track("r" + i))).statusCode());
    }
    COLLECTOR.server().reset();
    COLLECTOR.server().failRandomly(0.5, ServerFault.status(503));
    List<Integer> second = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      second.add(post("/v1/batch", batch(track("r" + i))).statusCode());
    }
    assertThat(first).isEqualTo(second).contains(200, 503);
  }

  @Test
  void countingModeCountsWithoutParsing() throws Exception {
    try (CollectorServer s = CollectorServer.builder().writeKey(KEY).countOnly(true).build().start()) {
      byte[] body = gzip(batch(track("c1"), track("c2")));
      assertThat(post(s.uri(), "/v1/batch", body, basic(KEY), true).statusCode()).isEqualTo(200);
      assertThat(post(s.uri(), "/v1/batch", "garbage".getBytes(StandardCharsets.UTF_8), basic(KEY), false)
          .statusCode()).isEqualTo(200);
      assertThat(post(s.uri(), "/v1/batch", body, basic("wrong"), true).statusCode()).isEqualTo(401);
      String bodyKey = "{\"writeKey\":\"" + KEY + "\"," + batch(track("c3")).substring(1);
      assertThat(post(s.uri(), "/v1/import/", gzip(bodyKey), null, true).statusCode())
          .as("the write key in the body, as analytics-java sends it").isEqualTo(200);
      assertThat(post(s.uri(), "/v1/batch", gzip(bodyKey.replace(KEY, "wrong")), null, true).statusCode())
          .isEqualTo(401);
      assertThat(post(s.uri(), "/v1/batch", body, null, true).statusCode()).isEqualTo(401);
      CollectorStats st = s.stats();
      assertThat(st.requests()).isEqualTo(6);
      assertThat(st.acceptedRequests()).isEqualTo(3);
      assertThat(st.messages()).isZero();
      // The request with a wrong Authorization header is refused from its headers: its body is not read.
      assertThat(st.bytesReceived()).isEqualTo(2L * body.length + "garbage".length()
          + gzip(bodyKey).length + gzip(bodyKey.replace(KEY, "wrong")).length);
    }
  }

  @Test
  void tellsTheListenerAboutEveryAcceptedBatch() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (CollectorServer s = CollectorServer.builder().writeKey(KEY)
        .listener((path, msgs) -> msgs.forEach(m -> seen.add(path + " " + m.messageId()))).build().start()) {
      post(s.uri(), "/v1/batch", batch(track("l1"), track("l2")).getBytes(StandardCharsets.UTF_8), basic(KEY), false);
      post(s.uri(), "/v1/batch", "bad".getBytes(StandardCharsets.UTF_8), basic(KEY), false);
    }
    assertThat(seen).containsExactly("/v1/batch l1", "/v1/batch l2");
  }

  @Test
  void startsOnAnEphemeralLoopbackPortAndStopsItsThreads() throws Exception {
    CollectorServer s = CollectorServer.builder().build().start();
    assertThat(s.uri().getHost()).isEqualTo("127.0.0.1");
    assertThat(s.port()).isPositive();
    assertThat(s.writeKey()).isEqualTo(CollectorServer.DEFAULT_WRITE_KEY);
    post(s.uri(), "/v1/batch", batch(track("t")).getBytes(StandardCharsets.UTF_8),
        basic(CollectorServer.DEFAULT_WRITE_KEY), false);
    s.close();
    s.close();
    assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < deadline && Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().startsWith("collector-") && t.getName().contains(String.valueOf(s.port())))) {
      Thread.sleep(10);
    }
    assertThatThrownBy(() -> post(s.uri(), "/v1/batch", new byte[0], null, false)).isInstanceOf(IOException.class);
  }

  @Test
  void theExtensionInjectsTheServer(CollectorServer server) {
    assertThat(server).isSameAs(COLLECTOR.server());
    assertThat(COLLECTOR.writeKey()).isEqualTo(KEY);
  }
}
