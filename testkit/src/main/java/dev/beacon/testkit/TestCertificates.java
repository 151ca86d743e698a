package dev.beacon.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority and one server certificate it signed, made in memory for one test run
 * (ECDSA P-256 keys, valid from an hour ago for {@value #VALIDITY_DAYS} days), for
 * {@link CollectorServer}'s HTTPS mode. No key is ever written to disk or kept in a repository:
 * each run makes its own, and only the CA certificate (public) is meant to leave the process, as
 * a trust store or a PEM file for {@code curl --cacert}.
 *
 * <pre>{@code
 * TestCertificates tls = TestCertificates.generate();          // for 127.0.0.1 and localhost
 * try (CollectorServer server = CollectorServer.builder().tls(tls).build().start()) {
 *   SSLContext trusting = tls.clientContext();                 // trusts this run's CA only
 *   ...
 * }
 * }</pre>
 *
 * <p>Certificates are built with BouncyCastle's {@code bcpkix}; signing and key generation use the
 * JDK's own providers, so no security provider is registered.
 */
public final class TestCertificates {
  /** How long the certificates are valid. */
  public static final int VALIDITY_DAYS = 2;
  /** The host names and addresses {@link #generate()} covers. */
  public static final List<String> LOOPBACK_NAMES = List.of("127.0.0.1", "localhost");

  private static final char[] NO_PASSWORD = new char[0];
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate ca;
  private final X509Certificate server;
  private final KeyPair serverKeys;
  private final List<String> names;

  private TestCertificates(X509Certificate ca, X509Certificate server, KeyPair serverKeys, List<String> names) {
    this.ca = ca;
    this.server = server;
    this.serverKeys = serverKeys;
    this.names = List.copyOf(names);
  }

  /**
   * Makes a CA and a server certificate for the loopback names {@code 127.0.0.1} and
   * {@code localhost} ({@link #LOOPBACK_NAMES}).
   *
   * @return new certificates
   */
  public static TestCertificates generate() {
    return generate(LOOPBACK_NAMES.toArray(new String[0]));
  }

  /**
   * Makes a CA and a server certificate whose subject alternative names are {@code names}: IP
   * literals become IP address entries, anything else DNS names. A server certificate for
   * another name than the one a client connects to is how a test provokes a hostname mismatch.
   *
   * @param names at least one host name or IP literal
   * @return new certificates
   * @throws IllegalArgumentException when no name is given or one is blank
   */
  public static TestCertificates generate(String... names) {
    if (names == null || names.length == 0) {
      throw new IllegalArgumentException("names must list at least one host name or IP address");
    }
    List<GeneralName> san = new ArrayList<>();
    for (String n : names) {
      if (n == null || n.isBlank()) {
        throw new IllegalArgumentException("names must not be blank but was " + List.of(names));
      }
      String ip = ipLiteral(n);
      san.add(ip != null ? new GeneralName(GeneralName.iPAddress, ip) : new GeneralName(GeneralName.dNSName, n));
    }
    try {
      Instant now = Instant.now();
      Date from = Date.from(now.minus(Duration.ofHours(1)));
      Date to = Date.from(now.plus(Duration.ofDays(VALIDITY_DAYS)));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

      KeyPair caKeys = keyPair();
      X500Name caName = new X500Name("CN=Beacon test CA " + Long.toHexString(RANDOM.nextLong()) + ", O=Beacon testkit");
      X509v3CertificateBuilder cab = new JcaX509v3CertificateBuilder(caName, serial(), from, to, caName,
          caKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate ca = sign(cab, caKeys);

      KeyPair serverKeys = keyPair();
      X509v3CertificateBuilder sb = new JcaX509v3CertificateBuilder(ca, serial(), from, to,
          new X500Name("CN=" + names[0].replaceAll("[,+=\"\\\\<>;]", "_") + ", O=Beacon testkit"),
          serverKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(new GeneralName[0])))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(serverKeys.getPublic()));
      return new TestCertificates(ca, sign(sb, caKeys), serverKeys, List.of(names));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate test certificates: " + e, e);
    } catch (CertIOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).setBit(62); // positive, never zero
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  /** The address in an IPv4 or IPv6 literal (brackets removed), or null for a host name. */
  private static String ipLiteral(String s) {
    String h = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    if (h.matches("\\d{1,3}(\\.\\d{1,3}){3}") || h.indexOf(':') >= 0 && h.matches("[0-9a-fA-F:.]+")) {
      return h;
    }
    return null;
  }

  /**
   * Returns the CA certificate that signed the server's: what a client must trust.
   *
   * @return the CA certificate
   */
  public X509Certificate caCertificate() {
    return ca;
  }

  /**
   * Returns the server certificate.
   *
   * @return the certificate the server presents
   */
  public X509Certificate serverCertificate() {
    return server;
  }

  /**
   * Returns the names the server certificate covers.
   *
   * @return the subject alternative names, as given to {@link #generate(String...)}
   */
  public List<String> names() {
    return names;
  }

  /**
   * Returns the SHA-256 fingerprint of the server certificate, as browsers and
   * {@code openssl x509 -fingerprint -sha256} print it.
   *
   * @return upper-case hex pairs joined by colons
   */
  public String serverFingerprintSha256() {
    return fingerprint(server);
  }

  /**
   * Returns the SHA-256 fingerprint of the CA certificate.
   *
   * @return upper-case hex pairs joined by colons
   */
  public String caFingerprintSha256() {
    return fingerprint(ca);
  }

  private static String fingerprint(X509Certificate cert) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the CA certificate in PEM, e.g. to write to a file for {@code curl --cacert}.
   *
   * @return {@code -----BEGIN CERTIFICATE-----} text
   */
  public String caPem() {
    try {
      return pem("CERTIFICATE", ca.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the server certificate followed by the CA's, in PEM: the chain a server configured
   * from files presents (e.g. {@code beacon gateway --tls-cert}).
   *
   * @return two {@code -----BEGIN CERTIFICATE-----} blocks
   */
  public String serverCertificateChainPem() {
    try {
      return pem("CERTIFICATE", server.getEncoded()) + pem("CERTIFICATE", ca.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the server's private key in unencrypted PKCS#8 PEM, for a server configured from files
   * (e.g. {@code beacon gateway --tls-key}). A test key, made for this run: never use it elsewhere.
   *
   * @return {@code -----BEGIN PRIVATE KEY-----} text
   */
  public String serverKeyPem() {
    return pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded());
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /**
   * Returns an in-memory PKCS12 trust store holding the CA certificate only.
   *
   * @return a loaded key store, without password
   */
  public KeyStore trustStore() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("beacon-test-ca", ca);
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store: " + e, e);
    }
  }

  /**
   * Returns a client {@link SSLContext} that trusts this CA and nothing else: what a client under
   * test uses to reach the server.
   *
   * @return a new, initialized TLS context
   */
  public SSLContext clientContext() {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a client TLS context: " + e, e);
    }
  }

  /**
   * Returns a server {@link SSLContext} presenting the server certificate (and the CA's after it).
   *
   * @return a new, initialized TLS context
   */
  public SSLContext serverContext() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", serverKeys.getPrivate(), NO_PASSWORD, new X509Certificate[] {server, ca});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, NO_PASSWORD);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a server TLS context: " + e, e);
    }
  }

  /** Never prints a key: the names and the server certificate's fingerprint only. */
  @Override
  public String toString() {
    return "TestCertificates{names=" + names + ", sha256=" + serverFingerprintSha256().toLowerCase(Locale.ROOT) + "}";
  }
}
