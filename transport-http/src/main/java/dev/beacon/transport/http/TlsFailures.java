package dev.beacon.transport.http;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Recognizes the TLS failures that retrying cannot fix: a server certificate the client does not
 * trust (unknown CA, self-signed, expired) and one that does not cover the host connected to.
 * Other TLS errors (a handshake cut by the network, say) stay retryable like any network error.
 */
final class TlsFailures {
  private TlsFailures() {}

  /**
   * Describes a certificate problem, naming the host.
   *
   * @param failure what the HTTP client reported
   * @param host the host and port connected to
   * @return the description, or null when the failure is not a certificate problem
   */
  static String certificateProblem(Throwable failure, String host) {
    Throwable certificate = null;
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t instanceof SSLPeerUnverifiedException) {
        return mismatch(host, t);
      }
      if (certificate == null && (t instanceof CertificateException || t instanceof CertPathValidatorException
          || t instanceof CertPathBuilderException)) {
        certificate = t;
      }
    }
    if (certificate == null) {
      return null;
    }
    String m = String.valueOf(certificate.getMessage());
    String lower = m.toLowerCase(Locale.ROOT);
    // JSSE's endpoint identification: "No subject alternative names matching IP address ... found",
    // "No subject alternative DNS name matching ... found", "No name matching ... found".
    if (lower.contains("matching") && lower.startsWith("no ")) {
      return mismatch(host, certificate);
    }
    return "TLS handshake with " + host + " failed: the server's certificate is not trusted (" + firstLine(m)
        + "). If a private CA or a TLS-inspecting proxy signs it, give the transport an SSLContext that trusts"
        + " that CA (HttpTransport.Builder.sslContext) or run the JVM with -Djavax.net.ssl.trustStore;"
        + " not retried";
  }

  private static String mismatch(String host, Throwable t) {
    return "TLS handshake with " + host + " failed: the server's certificate does not match the host name ("
        + firstLine(String.valueOf(t.getMessage())) + "). Connect by a name the certificate covers; not retried";
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
