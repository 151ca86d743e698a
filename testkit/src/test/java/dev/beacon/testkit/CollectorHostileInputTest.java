package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 26: what the collector (and the gateway after it) does with input built to hurt it. */
class CollectorHostileInputTest {
  private static final String KEY = "hostile-key";
  private static final String AUTH =
      "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));
  private static final String LIB = "\"context\":{\"library\":{\"name\":\"t\",\"version\":\"1\"}}";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static CollectorServer.Builder server() {
    return CollectorServer.builder().writeKey(KEY);
  }

  private static HttpResponse<String> post(URI base, String path, byte[] body, String auth) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(URI base, String path, String body) throws Exception {
    return post(base, path, body.getBytes(StandardCharsets.UTF_8), AUTH);
  }

  @Test
  void aNumericUserIdWithAHugeExponentIsRefusedNotExpandedIntoAHugeString() throws Exception {
    try (CollectorServer s = server().build().start()) {
      for (String n : List.of("1e9999999", "1e2147483647", "-1.5e-99999")) {
        HttpResponse<String> r = post(s.uri(), "/v1/batch",
            "{\"batch\":[{\"type\":\"identify\",\"userId\":" + n + "," + LIB + "}]}");
        assertThat(r.statusCode()).as(n).isEqualTo(400);
        assertThat(r.body()).as(n).contains("batch[0]: userId: the number");
      }
      HttpResponse<String> property = post(s.uri(), "/v1/track",
          "{\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"x\":1e2147483647}," + LIB + "}");
      assertThat(property.statusCode()).isEqualTo(400);
      assertThat(property.body()).contains("out of range");
      HttpResponse<String> longId = post(s.uri(), "/v1/batch",
          "{\"batch\":[{\"type\":\"identify\",\"userId\":1e200," + LIB + "}]}");
      assertThat(longId.statusCode()).isEqualTo(400);
      assertThat(longId.body()).contains("userId is a number whose plain form would be 201 characters");
      assertThat(s.messages()).isEmpty();
    }
  }

  @Test
  void aNumberOutOfRangeIsA400OrA401NotADroppedConnection() throws Exception {
    try (CollectorServer s = server().build().start()) {
      String context = "{\"batch\":[],\"context\":{\"x\":1.5e-2147483648}}";
      String sentAt = "{\"batch\":[],\"sentAt\":1.5e-2147483648}";
      for (String body : List.of(context, sentAt)) {
        assertThat(post(s.uri(), "/v1/batch", body.getBytes(StandardCharsets.UTF_8), null).statusCode())
            .as(body).isEqualTo(401);
        HttpResponse<String> r = post(s.uri(), "/v1/batch", body);
        assertThat(r.statusCode()).as(body).isEqualTo(400);
        assertThat(r.body()).contains("out of range");
      }
    }
  }

  @Test
  void duplicateKeysTrailingContentAndNonUtf8BodiesAreRefused() throws Exception {
    try (CollectorServer s = server().build().start()) {
      HttpResponse<String> dup = post(s.uri(), "/v1/track",
          "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"userId\":\"v\"," + LIB + "}");
      assertThat(dup.statusCode()).isEqualTo(400);
      assertThat(dup.body()).contains("Duplicate field 'userId'");
      HttpResponse<String> dupKey = post(s.uri(), "/v1/batch",
          "{\"batch\":[],\"writeKey\":\"" + KEY + "\",\"writeKey\":\"other\"}");
      assertThat(dupKey.statusCode()).isEqualTo(400);
      HttpResponse<String> trailing = post(s.uri(), "/v1/track",
          "{\"userId\":\"u\",\"event\":\"e\"," + LIB + "} {\"more\":1}");
      assertThat(trailing.statusCode()).isEqualTo(400);
      assertThat(trailing.body()).contains("after the JSON value");
      for (String cs : List.of("UTF-32BE", "UTF-32LE", "UTF-16LE")) {
        byte[] body = ("{\"userId\":\"u\",\"event\":\"e\"," + LIB + "}").getBytes(Charset.forName(cs));
        HttpResponse<String> r = post(s.uri(), "/v1/track", body, AUTH);
        assertThat(r.statusCode()).as(cs).isEqualTo(400);
        assertThat(r.body()).as(cs).contains("not UTF-8");
      }
      assertThat(s.messages()).isEmpty();
    }
  }

  /**
   * A request declaring a 2 GB body is answered at once from its headers: before, the worker
   * read (and discarded) up to 16 MB of it first, so a few such requests that never send their
   * body held every worker.
   */
  @Test
  void aDeclaredBodyOverTheLimitIsRefusedFromItsHeadersWithoutWaitingForTheBody() throws Exception {
    try (CollectorServer s = server().threads(1).build().start()) {
      for (String path : List.of("/v1/batch", "/nowhere")) {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
          socket.setSoTimeout(60_000); // a guard against a hang, not a timing assertion
          OutputStream out = socket.getOutputStream();
          out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              + "Content-Length: 2000000000\r\n\r\n{\"batch\":[").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
              StandardCharsets.US_ASCII));
          String status = in.readLine();
          assertThat(status).as(path).startsWith("HTTP/1.1 " + (path.equals("/nowhere") ? "404" : "400"));
        }
      }
      HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(s.uri().resolve("/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      List<ReceivedRequest> log = s.requests();
      assertThat(log.get(0).detail()).contains("2000000000").contains("too large");
    }
  }

  /**
   * Slow-loris: as many connections as workers, each sending part of its headers or of its body
   * and then nothing, held every worker for as long as they stayed open, and {@code /health}
   * waited. Each is now cut at the read deadline and the server answers again.
   */
  @Test
  void connectionsTricklingTheirHeadersOrBodyAreCutAtTheReadDeadlineAndTheServerAnswersAgain() throws Exception {
    try (CollectorServer s = server().threads(2).requestReadTimeout(Duration.ofMillis(500)).build().start()) {
      List<Socket> slow = new java.util.ArrayList<>();
      try {
        for (String partial : List.of("POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
            "POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\nAuthorization: " + AUTH
                + "\r\n\r\n{\"batch\":[")) {
          for (int i = 0; i < 2; i++) {
            Socket socket = new Socket("127.0.0.1", s.port());
            slow.add(socket);
            socket.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
          }
        }
        // Each slow connection is closed by the server: its read ends (EOF or reset), never by our guard.
        for (Socket socket : slow) {
          socket.setSoTimeout(60_000);
          try {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
          } catch (java.net.SocketException reset) {
            // closed by the server: what is asserted
          }
        }
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(s.uri().resolve("/health"))
            .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> ok = post(s.uri(), "/v1/track", "{\"userId\":\"u\",\"event\":\"e\"," + LIB + "}");
        assertThat(ok.statusCode()).isEqualTo(200);
      } finally {
        for (Socket socket : slow) {
          socket.close();
        }
      }
    }
  }

  @Test
  void theRequestLogIsBoundedInBytesAndKeepsAtMostAKilobyteOfEachPath() throws Exception {
    try (CollectorServer s = server().requestLogBytes(50_000).build().start()) {
      String longPath = "/" + "p".repeat(60_000);
      for (int i = 0; i < 40; i++) {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(s.uri().resolve(longPath + i)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
      }
      List<ReceivedRequest> log = s.requests();
      assertThat(log).isNotEmpty().hasSizeLessThan(40);
      long chars = 0;
      for (ReceivedRequest r : log) {
        assertThat(r.path().length()).isLessThanOrEqualTo(CollectorServer.MAX_LOGGED_CHARS + 3);
        chars += r.path().length() + r.detail().length();
      }
      assertThat(2 * chars).isLessThanOrEqualTo(50_000);
      assertThat(s.stats().requests()).isEqualTo(40);
    }
  }

  @Test
  void aBatchContextThatMakesEachMessageOver32KbOnceMergedIsRefusedAsTooLarge() throws Exception {
    try (CollectorServer s = server().build().start()) {
      StringBuilder ctx = new StringBuilder("{");
      for (int i = 0; i < 3000; i++) {
        ctx.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"vvvvv\"");
      }
      ctx.append('}');
      StringBuilder body = new StringBuilder("{\"context\":").append(ctx).append(",\"batch\":[");
      for (int i = 0; i < 50; i++) {
        body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"}");
      }
      body.append("]}");
      assertThat(body.length()).isLessThan(CollectorServer.MAX_BATCH_BYTES);
      HttpResponse<String> r = post(s.uri(), "/v1/batch", body.toString());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("too large").contains("batch[0]").contains("merged");
      assertThat(s.messages()).isEmpty();
    }
  }

  /**
   * A batch context of thousands of keys merged into 2,500 messages that have their own context:
   * each message used to get a deep copy (2,500 × 2,000 map entries); now the batch's objects are
   * shared and each message holds only its own keys.
   */
  @Test
  void aWideBatchContextIsSharedByTheMessagesNotCopiedIntoEach() throws Exception {
    try (CollectorServer s = server().build().start()) {
      StringBuilder ctx = new StringBuilder("{\"device\":{\"model\":\"x\"},\"os\":{\"name\":\"y\"}");
      for (int i = 0; i < 2000; i++) {
        ctx.append(",\"k").append(i).append("\":").append(i);
      }
      ctx.append('}');
      StringBuilder body = new StringBuilder("{\"context\":").append(ctx).append(",\"batch\":[");
      for (int i = 0; i < CollectorServer.MAX_BATCH_MESSAGES; i++) {
        body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",")
            .append("\"context\":{\"library\":{\"name\":\"t\",\"version\":\"1\"},\"device\":{\"id\":\"d")
            .append(i).append("\"}}}");
      }
      body.append("]}");
      HttpResponse<String> r = post(s.uri(), "/v1/batch", body.toString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      List<CapturedMessage> got = s.messages();
      assertThat(got).hasSize(CollectorServer.MAX_BATCH_MESSAGES);
      java.util.Map<?, ?> first = (java.util.Map<?, ?>) got.get(0).json().get("context");
      java.util.Map<?, ?> last = (java.util.Map<?, ?>) got.get(got.size() - 1).json().get("context");
      assertThat(first.size()).isEqualTo(2003);
      assertThat(first.containsKey("k1999") && first.containsKey("library")).isTrue();
      assertThat(first.get("device")).isEqualTo(java.util.Map.of("model", "x", "id", "d0"));
      assertThat(last.get("device")).isEqualTo(java.util.Map.of("model", "x", "id", "d2499"));
      // The batch's values are the same objects in every message: shared, not copied.
      assertThat(last.get("os")).isEqualTo(java.util.Map.of("name", "y")).isSameAs(first.get("os"));
    }
  }

  @Test
  void aDeepBatchContextIsMergedIntoEveryMessageAtEveryLevel() throws Exception {
    try (CollectorServer s = server().build().start()) {
      int depth = 900;
      String batchCtx = "{\"a\":".repeat(depth) + "{\"x\":1}" + "}".repeat(depth);
      String ownCtx = "{\"library\":{\"name\":\"t\",\"version\":\"1\"}," + "\"a\":{".repeat(depth - 1)
          + "\"a\":{\"y\":2}" + "}".repeat(depth - 1) + "}";
      StringBuilder body = new StringBuilder("{\"context\":").append(batchCtx).append(",\"batch\":[");
      for (int i = 0; i < 20; i++) {
        body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"context\":")
            .append(ownCtx).append('}');
      }
      body.append("]}");
      HttpResponse<String> r = post(s.uri(), "/v1/batch", body.toString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(s.messages()).hasSize(20).allSatisfy(m -> {
        Object level = m.json().get("context");
        for (int i = 0; i < depth; i++) {
          level = ((java.util.Map<?, ?>) level).get("a");
        }
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> last = (java.util.Map<String, Object>) level;
        assertThat(last).containsEntry("x", 1).containsEntry("y", 2);
      });
    }
  }

  @Test
  void theSetOfSeenMessageIdsIsBounded() throws Exception {
    try (CollectorServer s = server().maxRecordedMessages(1).maxTrackedMessageIds(2).build().start()) {
      for (String id : List.of("a", "b", "c", "a", "c")) {
        post(s.uri(), "/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"" + id + "\"," + LIB + "}");
      }
      // "a" was forgotten when "c" came (2 ids kept), so its second copy is not a duplicate; "c" is.
      assertThat(s.stats().duplicates()).isEqualTo(1);
      assertThat(s.stats().distinctMessageIds()).isEqualTo(4);
    }
  }
}
