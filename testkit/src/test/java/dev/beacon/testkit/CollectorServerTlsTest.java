package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The collector's HTTPS mode, with a CA and server certificate made for this run. */
class CollectorServerTlsTest {
  private static final String KEY = "tls-key";
  private static final String BODY = "{\"batch\":[{\"type\":\"track\",\"event\":\"Secure\",\"userId\":\"u\","
      + "\"messageId\":\"t1\",\"context\":{\"library\":{\"name\":\"test\"}}}]}";

  private static TestCertificates certificates;
  private static CollectorServer server;

  @BeforeAll
  static void start() {
    certificates = TestCertificates.generate();
    server = CollectorServer.builder().writeKey(KEY).tls(certificates).build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> post(HttpClient client, URI uri) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri.resolve("/v1/batch")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesHttpsToAClientThatTrustsTheRunsCa() throws Exception {
    assertThat(server.uri().getScheme()).isEqualTo("https");
    assertThat(server.certificates()).isSameAs(certificates);
    HttpClient trusting = HttpClient.newBuilder().sslContext(certificates.clientContext())
        .connectTimeout(Duration.ofSeconds(5)).build();

    assertThat(post(trusting, server.uri()).statusCode()).isEqualTo(200);
    URI byName = URI.create("https://localhost:" + server.port());
    assertThat(post(trusting, byName).statusCode()).as("the certificate covers localhost too").isEqualTo(200);
    assertThat(server.awaitMessages(2, Duration.ofSeconds(30))).extracting(CapturedMessage::event)
        .containsOnly("Secure");
  }

  @Test
  void aClientThatDoesNotTrustTheCaFailsItsHandshake() {
    HttpClient defaultTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> post(defaultTrust, server.uri())).satisfies(e -> {
      boolean handshake = false;
      for (Throwable t = e; t != null; t = t.getCause()) {
        handshake |= t instanceof SSLHandshakeException;
      }
      assertThat(handshake).as("an SSLHandshakeException in " + e).isTrue();
    });
    assertThat(server.messages()).extracting(CapturedMessage::messageId).doesNotContain("untrusted");
  }

  @Test
  void theCertificateIsSignedByTheCaForTheLoopbackNames() throws Exception {
    X509Certificate cert = certificates.serverCertificate();
    cert.verify(certificates.caCertificate().getPublicKey());
    cert.checkValidity();
    assertThat(cert.getSubjectAlternativeNames().stream().map(san -> (Object) san.get(1)).toList())
        .containsExactlyInAnyOrder("127.0.0.1", "localhost");
    assertThat(certificates.caCertificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    String expected = HexFormat.ofDelimiter(":").withUpperCase()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    assertThat(certificates.serverFingerprintSha256()).isEqualTo(expected).hasSize(32 * 3 - 1);
    assertThat(certificates.caPem()).startsWith("-----BEGIN CERTIFICATE-----\n")
        .endsWith("-----END CERTIFICATE-----\n");
    assertThat(certificates.toString()).doesNotContain("PRIVATE");
  }

  @Test
  void eachRunMakesItsOwnCa() {
    TestCertificates other = TestCertificates.generate("collector.example", "::1");
    assertThat(other.caFingerprintSha256()).isNotEqualTo(certificates.caFingerprintSha256());
    assertThat(other.names()).isEqualTo(List.of("collector.example", "::1"));
  }
}
