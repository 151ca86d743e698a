package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;

/** Only certificate problems are permanent; other TLS and network errors stay retryable. */
class TlsFailuresTest {
  private static SSLHandshakeException handshake(Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException("handshake failed");
    e.initCause(cause);
    return e;
  }

  @Test
  void anUntrustedOrExpiredCertificateIsACertificateProblemNamingTheHost() {
    assertThat(TlsFailures.certificateProblem(handshake(new CertificateException("PKIX path building failed")),
        "api.example.com:443")).contains("api.example.com:443", "not trusted", "PKIX path building failed");
    assertThat(TlsFailures.certificateProblem(handshake(new CertificateExpiredException("NotAfter: ...")),
        "h:1")).contains("not trusted");
  }

  @Test
  void aNameMismatchIsReportedAsOne() {
    assertThat(TlsFailures.certificateProblem(handshake(new CertificateException(
        "No subject alternative DNS name matching api.example.com found.")), "api.example.com:443"))
        .contains("does not match the host name");
    assertThat(TlsFailures.certificateProblem(new SSLPeerUnverifiedException(
        "Certificate for <api.example.com> doesn't match any of the subject alternative names"), "api.example.com:443"))
        .contains("does not match the host name");
  }

  @Test
  void otherTlsAndNetworkErrorsAreNot() {
    assertThat(TlsFailures.certificateProblem(new SSLHandshakeException("Remote host terminated the handshake"),
        "h:1")).isNull();
    SSLException reset = new SSLException("Connection reset");
    reset.initCause(new SocketException("Connection reset"));
    assertThat(TlsFailures.certificateProblem(reset, "h:1")).isNull();
    assertThat(TlsFailures.certificateProblem(new SocketException("Broken pipe"), "h:1")).isNull();
  }
}
