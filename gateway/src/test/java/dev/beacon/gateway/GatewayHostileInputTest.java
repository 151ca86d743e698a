package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static dev.beacon.gateway.GatewayFixture.basic;
import static dev.beacon.gateway.GatewayFixture.batch;
import static dev.beacon.gateway.GatewayFixture.post;
import static dev.beacon.gateway.GatewayFixture.raw;
import static dev.beacon.gateway.GatewayFixture.track;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input gets its precise answer (or a closed connection) while a good client sees no error. */
class GatewayHostileInputTest {
  @TempDir
  Path dir;
  RecordingSink sink;
  Gateway gateway;
  URI base;

  @BeforeEach
  void start() throws Exception {
    sink = new RecordingSink();
    gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0)
        .requestReadTimeout(Duration.ofSeconds(1))
        .build().start();
    base = gateway.uri();
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(10));
  }

  @Test
  void everyBadInputGetsItsAnswerWhileAGoodClientSeesZeroErrors() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong good = new AtomicLong();
    ConcurrentLinkedQueue<String> goodErrors = new ConcurrentLinkedQueue<>();
    Thread client = new Thread(() -> {
      while (!stop.get()) {
        try {
          HttpResponse<String> r = post(base, "/v1/batch", batch(track("good", "A"), track("good", "B")), KEY);
          if (r.statusCode() != 200) {
            goodErrors.add(r.statusCode() + " " + r.body());
          } else {
            good.incrementAndGet();
          }
        } catch (Exception e) {
          goodErrors.add(e.toString());
        }
      }
    }, "good-client");
    client.start();
    GatewayFixture.await("the good client is running", () -> good.get() > 0);

    assertThat(post(base, "/v1/batch", "{\"batch\":[", KEY)).satisfies(r -> {
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("invalid JSON");
    });

    String tenMegabytes = "POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic(KEY)
        + "\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n";
    assertThat(raw(base, tenMegabytes.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(30)))
        .startsWith("HTTP/1.1 400").contains("Payload too large: request body is 10485760 bytes (Content-Length)")
        .contains("connection: close");

    assertThat(chunkedPastTheLimit()).satisfiesAnyOf(
        answer -> assertThat(answer).startsWith("HTTP/1.1 400").contains("Payload too large"),
        answer -> assertThat(answer).isEqualTo("closed"));

    assertThat(slowLorisIsClosed()).isTrue();

    String bigHeader = "POST /v1/batch HTTP/1.1\r\nHost: x\r\nX-Filler: " + "a".repeat(20_000) + "\r\n\r\n";
    assertThat(raw(base, bigHeader.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(30)))
        .startsWith("HTTP/1.1 431");

    String longLine = "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    assertThat(raw(base, longLine.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(30)))
        .startsWith("HTTP/1.1 414");

    byte[] badUtf8 = ("{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"X\u0000\"}]}")
        .getBytes(StandardCharsets.UTF_8);
    int at = new String(badUtf8, StandardCharsets.UTF_8).indexOf('\u0000');
    badUtf8[at] = (byte) 0xC3; // a lead byte followed by '"': not UTF-8
    HttpResponse<String> utf8 = GatewayFixture.send(HttpRequest.newBuilder(base.resolve("/v1/batch"))
        .header("Authorization", basic(KEY)).POST(HttpRequest.BodyPublishers.ofByteArray(badUtf8)).build());
    assertThat(utf8.statusCode()).isEqualTo(400);
    assertThat(utf8.body()).containsIgnoringCase("UTF-8");

    String deep = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"x\":"
        + "[".repeat(5000) + "]".repeat(5000) + "}}]}";
    HttpResponse<String> nested = post(base, "/v1/batch", deep, KEY);
    assertThat(nested.statusCode()).isEqualTo(400);
    assertThat(nested.body()).containsIgnoringCase("nesting depth");

    assertThat(post(base, "/v1/batch", batch(track("u", "E")), "wrong-key").statusCode()).isEqualTo(401);
    assertThat(post(base, "/v1/batch", batch(track("u", "E")), null).statusCode()).isEqualTo(401);
    HttpResponse<String> delete = GatewayFixture.send(HttpRequest.newBuilder(base.resolve("/v1/batch")).DELETE().build());
    assertThat(delete.statusCode()).isEqualTo(405);

    long before = good.get();
    GatewayFixture.await("the good client went on after the bad inputs", () -> good.get() > before);
    stop.set(true);
    client.join();
    assertThat(goodErrors).isEmpty();
    assertThat(sink.messages()).allSatisfy(m -> assertThat(m.get("userId")).isEqualTo("good"));
    GatewayFixture.await("every held body byte is released", () -> gateway.budget.held() == 0);
  }

  /** Sends a chunked body past the limit: the answer, or "closed" when the reset came first. */
  private String chunkedPastTheLimit() throws Exception {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic(KEY)
          + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      ExecutorService writer = Executors.newSingleThreadExecutor();
      Future<?> writing = writer.submit(() -> {
        byte[] chunk = ("4000\r\n" + "a".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try {
          for (int i = 0; i < 640; i++) { // 10 MB, if the server kept reading
            out.write(chunk);
          }
        } catch (IOException e) {
          // the server stopped reading and closed: expected
        }
        return null;
      });
      String answer;
      try {
        answer = GatewayFixture.readAnswer(s.getInputStream());
      } catch (IOException e) {
        answer = "closed";
      }
      s.close();
      writing.get();
      writer.shutdown();
      return answer.isEmpty() ? "closed" : answer;
    }
  }

  /** A client trickling its headers a byte at a time is closed by the read timeout. */
  private boolean slowLorisIsClosed() throws Exception {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(60_000);
      byte[] head = ("POST /v1/batch HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(1000)).getBytes(StandardCharsets.US_ASCII);
      CountDownLatch closed = new CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try {
          InputStream in = s.getInputStream();
          while (in.read() >= 0) {
            // no answer is expected
          }
        } catch (IOException e) {
          // reset: closed too
        }
        closed.countDown();
      });
      reader.start();
      OutputStream out = s.getOutputStream();
      try {
        for (byte b : head) {
          if (closed.getCount() == 0) {
            break;
          }
          out.write(b);
          out.flush();
          Thread.sleep(50); // the trickle itself: 1,000 bytes would take 50 s
        }
      } catch (IOException e) {
        // closed by the server
      }
      closed.await();
      return true;
    }
  }

  @Test
  void readsPauseWhenHeldBodiesReachTheBudgetAndResumeWhenTheSinkCatchesUp() throws Exception {
    gateway.close(Duration.ofSeconds(10));
    sink = new RecordingSink();
    CountDownLatch release = new CountDownLatch(1);
    sink.holdAppends(release);
    gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0)
        .maxPendingBytes(1024 * 1024).build().start();
    base = gateway.uri();
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < 95; i++) {
      messages.add("{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\",\"properties\":{\"p\":\""
          + "x".repeat(4000) + "\"}}");
    }
    String body = batch(messages.toArray(String[]::new)); // ~390 KB
    int clients = 8;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      answers.add(pool.submit(() -> post(base, "/v1/batch", body, KEY)));
    }
    // Two bodies of ~390 KB fit in 1 MB: they are read and wait for the sink; the six others are not read.
    GatewayFixture.await("two requests are in the sink and six connections wait for room",
        () -> gateway.inFlight.get() == 2 && gateway.budget.waiting() == clients - 2);
    assertThat(gateway.budget.held()).isLessThanOrEqualTo(1024 * 1024);
    release.countDown();
    for (Future<HttpResponse<String>> f : answers) {
      assertThat(f.get().statusCode()).isEqualTo(200);
    }
    pool.shutdown();
    assertThat(sink.events()).hasSize(clients * 95);
    // An answer is written before its request's bytes are released (a moment later, on its event loop).
    GatewayFixture.await("every reservation is released", () -> gateway.budget.held() == 0);
    assertThat(gateway.budget.waiting()).isZero();
  }

}
