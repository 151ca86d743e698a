package dev.beacon.transport.http;

import static dev.beacon.transport.http.Fixtures.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Track;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The request head is the same on every supported HttpClient: no {@code Accept-Encoding}, our own
 * gzip body. From 5.6 the async client has a response-decompression stage that would ask for
 * compressed responses; the transport's request config turns it off on every version
 * ({@code setContentCompressionEnabled(false)}) and, where the builder switch exists, the stage is
 * removed too. Also run on 5.4 by transport-http/httpclient-oldest.
 */
class ContentCompressionTest {
  @Test
  void requestsNeverAskForACompressedResponse() throws Exception {
    CompletableFuture<List<String>> head = new CompletableFuture<>();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> answerOnce(server, head), "compression-test-server");
      t.setDaemon(true);
      t.start();
      URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());
      try (HttpTransport transport = HttpTransport.builder(KEY).endpoint(endpoint).build()) {
        SendResult r = transport.send(Batch.of(List.of(Track.builder("Compression").userId("u1").build())))
            .get(30, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
      }
      List<String> lines = head.get(30, TimeUnit.SECONDS);
      assertThat(lines).first().asString().startsWith("POST /v1/batch ");
      assertThat(lines).noneMatch(l -> l.toLowerCase(Locale.ROOT).startsWith("accept-encoding:"))
          .anyMatch(l -> l.toLowerCase(Locale.ROOT).equals("content-encoding: gzip"));
    }
  }

  private static void answerOnce(ServerSocket server, CompletableFuture<List<String>> head) {
    try (Socket s = server.accept()) {
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      List<String> lines = new ArrayList<>();
      int length = 0;
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        lines.add(line);
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      for (int i = 0; i < length; i++) {
        in.read();
      }
      OutputStream out = s.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n"
          + "Connection: close\r\n\r\n{\"success\":true}").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      head.complete(lines);
    } catch (IOException | RuntimeException e) {
      head.completeExceptionally(e);
    }
  }
}
