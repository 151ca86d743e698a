package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static dev.beacon.gateway.GatewayFixture.basic;
import static dev.beacon.gateway.GatewayFixture.batch;
import static dev.beacon.gateway.GatewayFixture.track;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection bounds (count, idle keep-alive) and where context.ip comes from. */
class GatewayConnectionsTest {
  @TempDir
  Path dir;
  RecordingSink sink = new RecordingSink();
  Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(10));
    }
  }

  private URI start(java.util.function.UnaryOperator<Gateway.Builder> options) throws Exception {
    gateway = options.apply(Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0)).build().start();
    return gateway.uri();
  }

  private String ipSeenWith(URI base, String forwardedFor) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve("/v1/batch")).header("Authorization", basic(KEY))
        .POST(HttpRequest.BodyPublishers.ofString(batch(track("u", "E"))));
    if (forwardedFor != null) {
      r.header("X-Forwarded-For", forwardedFor);
    }
    HttpResponse<String> answer = GatewayFixture.send(r.build());
    assertThat(answer.statusCode()).isEqualTo(200);
    Map<String, Object> last = sink.messages().get(sink.messages().size() - 1);
    return (String) ((Map<?, ?>) last.get("context")).get("ip");
  }

  @Test
  void forwardedForIsBelievedOnlyFromATrustedProxy() throws Exception {
    URI base = start(b -> b.trustedProxies(Set.of("127.0.0.1", "10.0.0.2")));
    // The last hop that is not a trusted proxy is the client; what it claims before that is not believed.
    assertThat(ipSeenWith(base, "198.51.100.1, 203.0.113.7, 10.0.0.2")).isEqualTo("203.0.113.7");
    assertThat(ipSeenWith(base, "not-an-ip")).isEqualTo("127.0.0.1");
    assertThat(ipSeenWith(base, null)).isEqualTo("127.0.0.1");
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
    URI base = start(b -> b);
    assertThat(ipSeenWith(base, "203.0.113.7")).isEqualTo("127.0.0.1");
  }

  @Test
  void anIpTheClientSentIsKept() throws Exception {
    URI base = start(b -> b);
    String body = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"context\":{\"ip\":\"192.0.2.5\"}}]}";
    assertThat(GatewayFixture.post(base, "/v1/batch", body, KEY).statusCode()).isEqualTo(200);
    assertThat(((Map<?, ?>) sink.messages().get(0).get("context")).get("ip")).isEqualTo("192.0.2.5");
  }

  @Test
  void aConnectionPastTheMaximumIsClosedAtOnce() throws Exception {
    URI base = start(b -> b.maxConnections(2));
    try (Socket a = new Socket(base.getHost(), base.getPort()); Socket b = new Socket(base.getHost(), base.getPort())) {
      GatewayFixture.await("two connections are open", () -> gateway.connections.get() == 2);
      try (Socket c = new Socket(base.getHost(), base.getPort())) {
        c.setSoTimeout(30_000);
        c.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readAll(c.getInputStream())).isEmpty();
      }
      // The two open ones are still served.
      a.setSoTimeout(30_000);
      a.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(GatewayFixture.readAnswer(a.getInputStream())).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void changingTheBuilderAfterBuildDoesNotChangeTheGateway() throws Exception {
    Gateway.Builder b = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0).maxConnections(5);
    gateway = b.build();
    b.maxConnections(1);
    assertThat(gateway.config.maxConnections).isEqualTo(5);
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAndAnAnsweredOneStaysOpenUntilThen() throws Exception {
    URI base = start(b -> b.idleTimeout(Duration.ofMillis(500)));
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      String body = batch(track("u", "E"));
      String req = "POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic(KEY) + "\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body;
      out.write(req.getBytes(StandardCharsets.US_ASCII));
      assertThat(GatewayFixture.readAnswer(in)).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: keep-alive");
      out.write(req.getBytes(StandardCharsets.US_ASCII));
      assertThat(GatewayFixture.readAnswer(in)).startsWith("HTTP/1.1 200");
      // Then nothing: the server closes the idle connection (read returns -1).
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(sink.events()).hasSize(2);
  }

  private static String readAll(InputStream in) {
    StringBuilder b = new StringBuilder();
    byte[] buf = new byte[1024];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (java.io.IOException e) {
      // reset: closed too
    }
    return b.toString();
  }
}
