package dev.beacon.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.BooleanSupplier;

/** Helpers shared by the gateway's tests: keys files, HTTP calls, raw sockets, condition waits. */
final class GatewayFixture {
  static final String KEY = "web-key-1";
  static final String KEY_LIMITED = "limited-key";
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private GatewayFixture() {}

  static Path keysFile(Path dir) throws IOException {
    Path f = dir.resolve("keys.json");
    Files.writeString(f, "{\"sources\":[{\"writeKey\":\"" + KEY + "\",\"name\":\"web\"},"
        + "{\"writeKey\":\"" + KEY_LIMITED + "\",\"name\":\"limited\",\"ratePerSecond\":2}]}");
    return f;
  }

  static String basic(String key) {
    return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> post(URI base, String path, String body, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", basic(key));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> send(HttpRequest r) throws Exception {
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }

  static String track(String userId, String event) {
    return "{\"type\":\"track\",\"userId\":\"" + userId + "\",\"event\":\"" + event + "\","
        + "\"context\":{\"library\":{\"name\":\"test\",\"version\":\"1\"}}}";
  }

  static String batch(String... messages) {
    return "{\"batch\":[" + String.join(",", messages) + "]}";
  }

  /** Sends raw bytes and reads until the server closes or answers; returns what came back. */
  static String raw(URI base, byte[] request, Duration readTimeout) throws IOException {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout((int) readTimeout.toMillis());
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // the server may close before reading everything (a body it refused on its headers)
      }
      return readAnswer(s.getInputStream());
    }
  }

  /** Reads one answer's status line and headers plus whatever body arrives before the close or a pause. */
  static String readAnswer(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        if (complete(b)) {
          break;
        }
      }
    } catch (IOException e) {
      if (b.length() == 0) {
        throw e;
      }
    }
    return b.toString();
  }

  private static boolean complete(StringBuilder b) {
    int end = b.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = b.substring(0, end).toLowerCase();
    int i = head.indexOf("content-length:");
    if (i < 0) {
      return true;
    }
    int eol = head.indexOf("\r\n", i);
    int len = Integer.parseInt(head.substring(i + 15, eol < 0 ? head.length() : eol).trim());
    return b.length() >= end + 4 + len;
  }

  /** Waits for a condition, polling, with a generous deadline. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }
}
