package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The collector's streaming check ({@code StreamedBody}) against its map path, one server of each
 * side by side: every body — SDKs' batches and single calls, batches with a batch-level context,
 * the hostile-input fixtures' shapes, random bodies with one part made odd — gets the same status
 * and answer, the same captured messages (as maps), request-log ids and counters, in lenient and
 * strict mode; and the SDK-shaped bodies are the streaming path's (no maps built to count them).
 */
class CollectorStreamingDifferentialTest {
  private static final String KEY = "diff-key";
  private static final String AUTH =
      "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));
  private static final String LIB = "\"context\":{\"library\":{\"name\":\"t\",\"version\":\"1\"}}";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final String[] ODD = {"1", "1e999999999", "\"\"", "\" \"", "null", "{}", "[]", "\"2024-01-15T10:30\"",
      "\"2024-01-15T10:30:00Z\"", "{\"a\":1,\"a\":2}", "\"" + "m".repeat(101) + "\"", "\"x\"", "true", "129.95",
      "{\"library\":{\"name\":\"n\"}}", "\"" + "x".repeat(33_000) + "\""};
  private static final String[] FIELDS = {"type", "userId", "anonymousId", "messageId", "event", "timestamp",
      "sentAt", "context", "properties", "traits", "writeKey", "name", "groupId", "previousId"};

  private static HttpResponse<String> post(URI base, String path, String body, String auth) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String track(int i, String extra) {
    return "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u-" + i + "\",\"messageId\":\"m-" + (i % 7)
        + "\",\"timestamp\":\"2026-12-07T20:00:00.123Z\",\"properties\":{\"total\":129.95,\"items\":[1,{\"sku\":\"a\"}]}"
        + extra + "}";
  }

  private static List<String[]> bodies() {
    List<String[]> out = new ArrayList<>(); // {path, body, "auth" or "body-key"}
    for (int i = 0; i < 5; i++) {
      out.add(new String[] {"/v1/batch", "{\"batch\":[" + track(i, "," + LIB) + "," + track(i + 1, "")
          + "],\"sentAt\":\"2026-12-07T20:00:01Z\"}", "auth"});
    }
    out.add(new String[] {"/v1/batch", "{\"batch\":[" + track(9, ",\"writeKey\":\"" + KEY + "\"") + "]}", "body-key"});
    out.add(new String[] {"/v1/batch", "{\"writeKey\":\"wrong\",\"batch\":[" + track(9, "") + "]}", "body-key"});
    out.add(new String[] {"/v1/batch", "{\"batch\":[" + track(9, "") + "]}", "body-key"});
    out.add(new String[] {"/v1/batch", "{\"batch\":[" + track(3, "") + "],\"context\":{\"library\":{\"name\":\"b\"}}}",
        "auth"});
    out.add(new String[] {"/v1/import", "{\"batch\":[" + track(4, "," + LIB) + "]}", "auth"});
    out.add(new String[] {"/v1/track", track(5, "," + LIB), "auth"});
    out.add(new String[] {"/v1/page", track(5, "," + LIB), "auth"});
    out.add(new String[] {"/v1/t", "{\"event\":\"E\",\"userId\":\"u\",\"writeKey\":\"" + KEY + "\"}", "body-key"});
    out.add(new String[] {"/v1/identify", "{\"type\":\"identify\",\"userId\":7," + LIB + "}", "auth"});
    out.add(new String[] {"/v1/batch", "{\"batch\":[{\"type\":\"identify\",\"userId\":1e9999999," + LIB + "}]}", "auth"});
    Random r = new Random(26);
    for (int i = 0; i < 120; i++) {
      String m = track(i, r.nextBoolean() ? "," + LIB : "");
      String field = FIELDS[r.nextInt(FIELDS.length)];
      String odd = "\"" + field + "\":" + ODD[r.nextInt(ODD.length)];
      // The field is put first; a field the message has already is then a repeated name.
      m = "{" + odd + "," + m.substring(1);
      out.add(new String[] {"/v1/batch", "{\"batch\":[" + track(i, "," + LIB) + "," + m + "]}", "auth"});
    }
    return out;
  }

  @Test
  void everyBodyGetsTheMapPathsAnswerMessagesAndCounters() throws Exception {
    for (boolean strict : new boolean[] {false, true}) {
      try (CollectorServer streaming = CollectorServer.builder().writeKey(KEY).strict(strict).build().start();
          CollectorServer maps = CollectorServer.builder().writeKey(KEY).strict(strict).streaming(false).build()
              .start()) {
        for (String[] b : bodies()) {
          String auth = "auth".equals(b[2]) ? AUTH : null;
          HttpResponse<String> got = post(streaming.uri(), b[0], b[1], auth);
          HttpResponse<String> want = post(maps.uri(), b[0], b[1], auth);
          assertThat(got.statusCode()).as(b[0] + " " + b[1]).isEqualTo(want.statusCode());
          assertThat(got.body()).as(b[0] + " " + b[1]).isEqualTo(want.body());
        }
        List<CapturedMessage> a = streaming.messages();
        List<CapturedMessage> e = maps.messages();
        assertThat(a).hasSameSizeAs(e);
        for (int i = 0; i < a.size(); i++) {
          // type, id and event are known without maps; the maps are built when asked for.
          assertThat(a.get(i).type()).isEqualTo(e.get(i).type());
          assertThat(a.get(i).messageId()).isEqualTo(e.get(i).messageId());
          assertThat(a.get(i).event()).isEqualTo(e.get(i).event());
          assertThat(a.get(i).json()).isEqualTo(e.get(i).json());
          assertThat(a.get(i).messageId()).isEqualTo(e.get(i).messageId());
        }
        CollectorStats sa = streaming.stats();
        CollectorStats se = maps.stats();
        assertThat(sa.messages()).isEqualTo(se.messages());
        assertThat(sa.duplicates()).isEqualTo(se.duplicates()).isPositive();
        assertThat(sa.distinctMessageIds()).isEqualTo(se.distinctMessageIds());
        assertThat(sa.warnings()).isEqualTo(se.warnings());
        assertThat(sa.rejected()).isEqualTo(se.rejected());
        List<ReceivedRequest> la = streaming.requests();
        List<ReceivedRequest> le = maps.requests();
        assertThat(la).hasSameSizeAs(le);
        for (int i = 0; i < la.size(); i++) {
          assertThat(la.get(i).status()).isEqualTo(le.get(i).status());
          assertThat(la.get(i).detail()).isEqualTo(le.get(i).detail());
          assertThat(la.get(i).messageIds()).isEqualTo(le.get(i).messageIds());
        }
        // The SDK-shaped bodies took the streaming path; the map server never does.
        assertThat(streaming.streamedBodies()).isGreaterThan(strict ? 3 : 20);
        assertThat(maps.streamedBodies()).isZero();
      }
    }
  }
}
