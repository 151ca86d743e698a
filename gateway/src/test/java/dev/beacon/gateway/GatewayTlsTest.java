package dev.beacon.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.testkit.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a certificate made for the run: clients that trust its CA are served, others fail the handshake. */
class GatewayTlsTest {
  @TempDir
  Path dir;

  @Test
  void servesHttpsToClientsTrustingTheCertificate() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    RecordingSink sink = new RecordingSink();
    try (Gateway gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0)
        .tls(certs.serverContext()).build().start()) {
      URI base = gateway.uri();
      assertThat(base.getScheme()).isEqualTo("https");
      HttpClient trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(certs.clientContext()).build();
      HttpResponse<String> r = trusting.send(HttpRequest.newBuilder(base.resolve("/v1/batch"))
          .header("Authorization", GatewayFixture.basic(GatewayFixture.KEY))
          .POST(HttpRequest.BodyPublishers.ofString(GatewayFixture.batch(GatewayFixture.track("u", "Secure"))))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      HttpResponse<String> settings = trusting.send(HttpRequest.newBuilder(
          base.resolve("/v1/projects/" + GatewayFixture.KEY + "/settings")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(settings.body()).contains("\"protocol\":\"https\"");
      assertThat(sink.events()).hasSize(1);

      HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void servesHttpsFromPemFiles() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    Path cert = java.nio.file.Files.writeString(dir.resolve("chain.pem"), certs.serverCertificateChainPem());
    Path key = java.nio.file.Files.writeString(dir.resolve("key.pem"), certs.serverKeyPem());
    try (Gateway gateway = Gateway.builder(GatewayFixture.keysFile(dir), new RecordingSink()).listen("127.0.0.1", 0)
        .tls(cert, key).build().start()) {
      HttpClient trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(certs.clientContext()).build();
      assertThat(trusting.send(HttpRequest.newBuilder(gateway.uri().resolve("/health")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aKeyThatIsNotPemIsRefusedNamingTheFiles() throws Exception {
    TestCertificates certs = TestCertificates.generate();
    Path cert = java.nio.file.Files.writeString(dir.resolve("chain.pem"), certs.serverCertificateChainPem());
    Path key = java.nio.file.Files.writeString(dir.resolve("key.pem"), "not a key");
    assertThatThrownBy(() -> Gateway.builder(GatewayFixture.keysFile(dir), new RecordingSink()).tls(cert, key))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key.pem").hasMessageContaining("PKCS#8");
  }
}
