package dev.beacon.examples.docs;

import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The TLS examples of docs/configuration.md and docs/guide.md. */
public final class TlsExamples {
  private TlsExamples() {}

  /**
   * An {@link SSLContext} that trusts the CA certificates in a trust store file, e.g. a corporate
   * TLS-inspecting proxy's CA, for {@code HttpTransport.builder(writeKey).sslContext(tls)}.
   *
   * @param trustStoreFile a PKCS12 (or JKS) file of trusted certificates
   * @param password its password
   * @return the context
   * @throws IOException when the file cannot be read
   * @throws GeneralSecurityException when it is not a trust store
   */
  public static SSLContext trusting(Path trustStoreFile, char[] password) throws IOException, GeneralSecurityException {
    // tag::trust-store[]
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(trustStoreFile)) {   // e.g. /etc/pki/corporate-ca.p12
      trusted.load(in, password);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    // then: HttpTransport.builder(writeKey).sslContext(tls).build()
    // end::trust-store[]
    return tls;
  }

  /**
   * The testkit's collector over HTTPS, with a CA and certificate made for this run.
   *
   * @return the started server; {@code server.certificates().clientContext()} trusts it
   */
  public static CollectorServer httpsCollector() {
    // tag::https-collector[]
    TestCertificates certificates = TestCertificates.generate();   // for 127.0.0.1 and localhost
    CollectorServer server = CollectorServer.builder()
        .writeKey("test-key")
        .tls(certificates)                                           // server.uri() is https://
        .build().start();
    SSLContext trustsTheCollector = certificates.clientContext();  // give it to the client under test
    // end::https-collector[]
    return server;
  }
}
