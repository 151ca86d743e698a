package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static dev.beacon.gateway.GatewayFixture.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining (RFC 9112 §9.3.2): requests written back-to-back on one connection before any
 * answer is read. Each gets its own answer, in the order sent, and each request's events are stored
 * once; a request refused on its headers closes the connection after its answer, and what was
 * pipelined behind it is neither answered nor stored (the client sends it again).
 */
class GatewayPipeliningTest extends RawSocketGatewayTest {

  private static String message(String id) {
    return "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + id + "\"}";
  }

  private static byte[] batchOf(String... ids) {
    List<String> messages = new ArrayList<>();
    for (String id : ids) {
      messages.add(message(id));
    }
    return RawHttp.post("/v1/batch", KEY, batch(messages.toArray(String[]::new)));
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderWithABadOneInTheMiddle() throws Exception {
    // The first request's append is held, so the ones behind it arrive while it is in the sink.
    CountDownLatch release = new CountDownLatch(1);
    sink.holdAppends(release);
    try (RawHttp c = connect()) {
      c.write(RawHttp.concat(
          batchOf("a1", "a2"),
          RawHttp.post("/v1/batch", KEY, "{\"batch\":[{\"type\":\"track\""),
          batchOf("b1"),
          RawHttp.post("/v1/t", KEY, message("c1")),
          RawHttp.post("/v1/batch", KEY, batch("{\"type\":\"track\",\"userId\":\"u\"}"))));
      release.countDown();
      RawHttp.Answer a = c.read();
      RawHttp.Answer bad = c.read();
      RawHttp.Answer b = c.read();
      RawHttp.Answer single = c.read();
      RawHttp.Answer noEvent = c.read();
      assertThat(List.of(a.status(), bad.status(), b.status(), single.status(), noEvent.status()))
          .containsExactly(200, 400, 200, 200, 400);
      assertThat(a.body()).isEqualTo("{\"success\":true}");
      assertThat(bad.body()).contains("JSON");
      assertThat(noEvent.body()).contains("event");
      assertThat(noEvent.header("Connection")).isEqualTo("keep-alive");
      // The connection is still usable after the pipelined run.
      c.write(batchOf("d1"));
      assertThat(c.read().status()).isEqualTo(200);
    }
    assertThat(storedIds()).containsExactly("a1", "a2", "b1", "c1", "d1");
  }

  @Test
  void manyPipelinedBatchesAreEachAnsweredOnceAndStoredOnceInOrder() throws Exception {
    int requests = 200;
    List<byte[]> all = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int r = 0; r < requests; r++) {
      String[] ids = new String[5];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = "m-" + r + "-" + i;
        expected.add(ids[i]);
      }
      all.add(batchOf(ids));
    }
    try (RawHttp c = connect()) {
      // Written on a thread of its own: the gateway stops reading while a request is in the sink, so
      // a single write of everything could fill the socket buffers while this thread is not reading.
      CompletableFuture<Void> writer = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          c.write(RawHttp.concat(all.toArray(byte[][]::new)));
          writer.complete(null);
        } catch (Exception e) {
          writer.completeExceptionally(e);
        }
      }, "pipelining-writer");
      t.setDaemon(true);
      t.start();
      List<Integer> statuses = new ArrayList<>();
      for (int r = 0; r < requests; r++) {
        RawHttp.Answer a = c.read();
        assertThat(a).as("answer %d of %d", r + 1, requests).isNotNull();
        statuses.add(a.status());
      }
      writer.get(60, TimeUnit.SECONDS);
      assertThat(statuses).hasSize(requests).containsOnly(200);
    }
    assertThat(storedIds()).containsExactlyElementsOf(expected);
  }

  @Test
  void aRequestRefusedOnItsHeadersEndsTheConnectionAfterTheAnswersBeforeIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    sink.holdAppends(release);
    try (RawHttp c = connect()) {
      c.write(RawHttp.concat(batchOf("a1"), RawHttp.post("/v1/batch", "wrong-key", batch(message("x1"))),
          batchOf("z1")));
      release.countDown();
      RawHttp.Answer a = c.read();
      RawHttp.Answer refused = c.read();
      assertThat(a.status()).isEqualTo(200);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.header("Connection")).isEqualTo("close");
      assertThat(c.read()).as("nothing after the answer that closed the connection").isNull();
    }
    assertThat(storedIds()).containsExactly("a1");
    Map<String, Object> first = sink.messages().get(0);
    assertThat(first.get("event")).isEqualTo("E");
  }
}
