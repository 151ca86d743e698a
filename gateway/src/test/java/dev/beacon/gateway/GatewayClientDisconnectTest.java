package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static dev.beacon.gateway.GatewayFixture.await;
import static dev.beacon.gateway.GatewayFixture.basic;
import static dev.beacon.gateway.GatewayFixture.batch;
import static dev.beacon.gateway.GatewayFixture.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that goes away: mid-body, its request is not accepted (nothing stored, nothing counted,
 * its reserved bytes given back), even when what arrived happens to be a whole JSON document; once
 * its body is complete, the request is carried through: the events are durable and counted, the
 * answer simply has nobody to read it. Never half. A body the HTTP decoder finds malformed midway
 * is refused whole, never stored up to the fault.
 */
class GatewayClientDisconnectTest extends RawSocketGatewayTest {

  private static String body(String... ids) {
    String[] messages = Arrays.stream(ids)
        .map(id -> "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + id + "\"}")
        .toArray(String[]::new);
    return batch(messages);
  }

  /** The gateway has seen the connection go and given back what it held for it. */
  private void awaitConnectionGone() throws InterruptedException {
    await("the gateway noticed the client left (connections " + gateway.connections.get() + ", budget held "
        + gateway.budget.held() + ", in flight " + gateway.inFlight.get() + ")",
        () -> gateway.connections.get() == 0 && gateway.budget.held() == 0 && gateway.inFlight.get() == 0);
  }

  /** A good request afterwards is stored on its own: nothing of the one that went away came with it. */
  private void goodRequestStillWorks() throws Exception {
    assertThat(post(base, "/v1/batch", body("after"), KEY).statusCode()).isEqualTo(200);
  }

  @ParameterizedTest(name = "reset={0}")
  @ValueSource(booleans = {false, true})
  void aClientGoneMidBodyHasNothingAccepted(boolean reset) throws Exception {
    // The body sent is a whole JSON document; the Content-Length promises more (trailing spaces),
    // so the request is not complete when the client leaves.
    String json = body("cut-1", "cut-2");
    byte[] request = RawHttp.post("/v1/batch", KEY, json + " ".repeat(200));
    int headers = new String(request, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
    try (RawHttp c = connect()) {
      c.write(Arrays.copyOf(request, headers + json.length()));
      await("the gateway holds the body's bytes", () -> gateway.budget.held() > 0);
      if (reset) {
        c.abort();
      }
    }
    awaitConnectionGone();
    assertThat(sink.events()).isEmpty();
    assertThat(gateway.acceptedEvents()).isZero();
    goodRequestStillWorks();
    assertThat(storedIds()).containsExactly("after");
  }

  @ParameterizedTest(name = "reset={0}")
  @ValueSource(booleans = {false, true})
  void aClientGoneRightAfterItsBodyHasItsEventsStoredAndCounted(boolean reset) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    sink.holdAppends(release);
    try (RawHttp c = connect()) {
      c.write(RawHttp.post("/v1/batch", KEY, body("whole-1", "whole-2", "whole-3")));
      // The request is complete and in the sink: now the client goes.
      await("the request is in the sink", () -> gateway.inFlight.get() == 1);
      if (reset) {
        c.abort();
      }
    }
    release.countDown();
    awaitConnectionGone();
    assertThat(storedIds()).containsExactly("whole-1", "whole-2", "whole-3");
    assertThat(gateway.acceptedEvents()).isEqualTo(3);
    assertThat(gateway.scrape()).containsPattern("gateway_events_accepted_total\\{source=\"web\"\\} 3\\.0");
    sink.holdAppends(null);
    goodRequestStillWorks();
    assertThat(storedIds()).containsExactly("whole-1", "whole-2", "whole-3", "after");
  }

  @Test
  void aChunkedBodyMalformedMidwayIsRefusedNotStoredUpToTheFault() throws Exception {
    String json = body("chunk-1");
    String request = "POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic(KEY) + "\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + Integer.toHexString(json.length()) + "\r\n" + json + "\r\n"
        + "not-a-chunk-size\r\n";
    try (RawHttp c = connect()) {
      c.write(request.getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Answer a = c.read();
      assertThat(a).isNotNull();
      assertThat(a.status()).isEqualTo(400);
      assertThat(a.header("Connection")).isEqualTo("close");
      assertThat(c.read()).isNull();
    }
    awaitConnectionGone();
    assertThat(sink.events()).isEmpty();
    assertThat(gateway.acceptedEvents()).isZero();
    goodRequestStillWorks();
    assertThat(storedIds()).containsExactly("after");
  }
}
