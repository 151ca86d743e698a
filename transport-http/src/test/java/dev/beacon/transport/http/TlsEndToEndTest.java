package dev.beacon.transport.http;

import static dev.beacon.transport.http.Fixtures.KEY;
import static dev.beacon.transport.http.Fixtures.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.DeliveryException;
import dev.beacon.FailureReason;
import dev.beacon.RetryPolicy;
import dev.beacon.Stats;
import dev.beacon.testkit.BeaconAssertions;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.TestCertificates;
import java.net.URI;
import java.util.List;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTPS end to end against the testkit's collector in HTTPS mode, with a CA and server certificate
 * made for this run: a custom trusted CA delivers; an untrusted certificate and a certificate for
 * another host fail at once, permanently, with a message naming the host, and are never retried.
 */
class TlsEndToEndTest {
  private static TestCertificates loopback;
  private static CollectorServer server;

  @BeforeAll
  static void start() {
    loopback = TestCertificates.generate();
    server = CollectorServer.builder().writeKey(KEY).tls(loopback).build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The engine's defaults: 10 retries over up to 12 hours, so any retry would show in the stats. */
  private static Fixtures.Client client(HttpTransport transport) {
    return new Fixtures.Client(transport, RetryPolicy.defaults(), 10);
  }

  @Test
  void deliversOverHttpsWhenTheTransportTrustsACustomCa() {
    server.reset();
    for (URI endpoint : List.of(server.uri(), URI.create("https://localhost:" + server.port()))) {
      HttpTransport transport = Fixtures.http(endpoint).sslContext(loopback.clientContext()).build();
      assertThat(transport.toString()).contains("sslContext=supplied").doesNotContain(KEY);
      try (Fixtures.Client c = client(transport)) {
        List<String> ids = c.track(25);
        Stats s = c.closeAndCheck();
        assertThat(s.delivered()).isEqualTo(25);
        assertThat(s.retries()).isZero();
        assertThat(c.errors).isEmpty();
        assertThat(server.awaitMessages(ids.size(), WAIT)).extracting(CapturedMessage::messageId).containsAll(ids);
      }
    }
    BeaconAssertions.assertThat(server).hasMessageCount(50);
    assertThat(server.requests()).allSatisfy(r -> assertThat(r.contentEncoding()).isEqualTo("gzip"));
  }

  @Test
  void anUntrustedCertificateFailsPermanentlyNamingTheHostAndIsNotRetried() {
    server.reset();
    // No sslContext: the JVM's default trust, which does not know this run's CA.
    HttpTransport transport = Fixtures.http(server.uri()).build();
    DeliveryException e;
    try (Fixtures.Client c = client(transport)) {
      c.track(3);
      Stats s = c.closeAndCheck();
      assertThat(s.failed()).isEqualTo(3);
      assertThat(s.failed(FailureReason.REJECTED)).isEqualTo(3);
      assertThat(s.retries()).as("a certificate problem is not retried").isZero();
      assertThat(c.errors.stream().mapToInt(DeliveryException::messageCount).sum()).isEqualTo(3);
      assertThat(c.errors).as("one report per batch, each after its one attempt").hasSize((int) s.requests());
      e = c.errors.get(0);
    }
    assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
    assertThat(e.getMessage())
        .contains("TLS handshake with 127.0.0.1:" + server.port())
        .contains("certificate is not trusted")
        .contains("sslContext")
        .doesNotContain(KEY);
    assertThat(server.stats().requests()).as("no request got past the handshake").isZero();
  }

  @Test
  void aCertificateForAnotherHostIsRefusedAsAMismatch() {
    TestCertificates elsewhere = TestCertificates.generate("collector.example");
    try (CollectorServer other = CollectorServer.builder().writeKey(KEY).tls(elsewhere).build().start()) {
      // The CA is trusted; only the name differs.
      HttpTransport transport = Fixtures.http(other.uri()).sslContext(elsewhere.clientContext()).build();
      DeliveryException e;
      try (Fixtures.Client c = client(transport)) {
        c.track(2);
        Stats s = c.closeAndCheck();
        assertThat(s.failed()).isEqualTo(2);
        assertThat(s.retries()).isZero();
        assertThat(c.errors).hasSize((int) s.requests());
        e = c.errors.get(0);
      }
      assertThat(e.getMessage())
          .contains("TLS handshake with 127.0.0.1:" + other.port())
          .contains("does not match the host name");
      assertThat(other.stats().requests()).isZero();
    }
  }

  @Test
  void sslContextCannotBeCombinedWithYourOwnClient() {
    try (var own = HttpAsyncClients.createDefault()) {
      assertThatThrownBy(() -> Fixtures.http(server.uri()).httpClient(own).sslContext(loopback.clientContext())
          .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sslContext");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
