package dev.beacon.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CollectorServer;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS examples work: a trust store file read into an SSLContext reaches the HTTPS collector. */
class TlsExamplesTest {
  @TempDir Path dir;

  @Test
  void aTrustStoreFileTrustsTheCollectorsCa() throws Exception {
    try (CollectorServer server = TlsExamples.httpsCollector()) {
      Path store = dir.resolve("ca.p12");
      char[] password = "changeit".toCharArray();
      try (OutputStream out = Files.newOutputStream(store)) {
        server.certificates().trustStore().store(out, password);
      }
      SSLContext tls = TlsExamples.trusting(store, password);

      HttpResponse<String> r = HttpClient.newBuilder().sslContext(tls).build().send(HttpRequest.newBuilder(
          server.uri().resolve("/v1/batch")).header("Content-Type", "application/json")
          .header("Authorization", "Basic " + Base64.getEncoder()
              .encodeToString("test-key:".getBytes(StandardCharsets.UTF_8)))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(server.uri().getScheme()).isEqualTo("https");
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }
}
