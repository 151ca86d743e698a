package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beacon collect}: a local collector that prints batches and writes what it accepts. */
class CollectCommandTest {
  private static final Pattern URI = Pattern.compile("collecting on (http://\\S+) ");

  @TempDir Path dir;

  /** A collect run in this JVM that the test stops when it is done: no time window to race. */
  private record Running(CollectCommand command, CompletableFuture<Integer> exit) {
    int stop() throws Exception {
      command.stop();
      return exit.get(30, TimeUnit.SECONDS);
    }
  }

  private static Running start(StringWriter out, String... args) {
    CollectCommand command = new CollectCommand();
    picocli.CommandLine cl = new picocli.CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    // A thread of its own, not the common pool (which may have a single worker on 2 cores).
    CompletableFuture<Integer> running = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        running.complete(cl.execute(args));
      } catch (Throwable e) {
        running.completeExceptionally(e);
      }
    }, "beacon-collect-under-test");
    t.setDaemon(true);
    t.start();
    return new Running(command, running);
  }

  private static String awaitUri(StringWriter out, CompletableFuture<Integer> running) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Matcher m = URI.matcher(out.toString());
      if (m.find()) {
        return m.group(1);
      }
      assertThat(running).as("collect exited early: " + out).isNotDone();
      Thread.sleep(10);
    }
    throw new AssertionError("collect did not print its URI: " + out);
  }

  @Test
  void collectsWhatIsSentPrintsEachBatchAndWritesNdjson() throws Exception {
    Path file = dir.resolve("collected.ndjson");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Running running = start(out, "--out", file.toString());
    String uri = awaitUri(out, running.exit());
    Path key = Cli.keyFile(dir, "any-key");

    Cli.Run track = Cli.beacon("send", "track", "--user-id", "u1", "--event", "Order Completed",
        "--properties", "{\"revenue\":42.5}", "--message-id", "c-1", "--endpoint", uri, "--write-key-file", key.toString());
    Cli.Run identify = Cli.beacon("send", "identify", "--user-id", "u1", "--traits", "{\"plan\":\"premium\"}",
        "--message-id", "c-2", "--endpoint", uri, "--write-key-file", key.toString());
    assertThat(track.exit()).as(track.all()).isZero();
    assertThat(identify.exit()).as(identify.all()).isZero();

    assertThat(running.stop()).isZero();
    assertThat(out.toString()).contains("writing messages to " + file)
        .contains("/v1/batch: 1 message(s) {Order Completed=1}")
        .contains("/v1/batch: 1 message(s) {identify=1}")
        .contains("stopped: 2 request(s), 2 message(s) (2 distinct), 0 duplicate(s), 0 rejected");
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"messageId\":\"c-1\"").contains("\"event\":\"Order Completed\"")
        .contains("\"revenue\":42.5");
    assertThat(lines.get(1)).contains("\"messageId\":\"c-2\"").contains("\"plan\":\"premium\"");
    // What collect writes is what import reads: the file round-trips.
    assertThat(Cli.beacon("import", "--dry-run", "--no-progress", file.toString()).out()).contains("2 valid");
  }

  @Test
  void withAWriteKeyOtherKeysAreRefused() throws Exception {
    StringWriter out = new StringWriter();
    Running running = start(out, "--write-key", "the-right-key", "--quiet");
    String uri = awaitUri(out, running.exit());

    Cli.Run wrong = Cli.beacon("send", "track", "--user-id", "u", "--event", "E", "--endpoint", uri,
        "--write-key-file", Cli.keyFile(dir, "a-wrong-key").toString());
    Cli.Run right = Cli.beacon("send", "track", "--user-id", "u", "--event", "E", "--endpoint", uri,
        "--write-key-file", Cli.keyFile(dir, "the-right-key").toString());

    assertThat(wrong.exit()).isEqualTo(ExitCodes.NOT_DELIVERED);
    assertThat(wrong.err()).contains("UNAUTHORIZED");
    assertThat(right.exit()).as(right.all()).isZero();
    assertThat(running.stop()).isZero();
    assertThat(out.toString()).contains("write key required").doesNotContain("/v1/batch:")
        .contains("stopped: 2 request(s), 1 message(s)").contains("1 rejected");
  }

  @Test
  void stoppingWithCtrlCStillPrintsTheSummary() throws Exception {
    Path file = dir.resolve("collected.ndjson");
    Cli.Child child = Cli.start(dir, "collect", "--out", file.toString());
    String uri = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (uri == null && System.nanoTime() < deadline) {
      Matcher m = URI.matcher(Files.readString(child.out()));
      uri = m.find() ? m.group(1) : null;
      Thread.sleep(20);
    }
    assertThat(uri).as("printed URI").isNotNull();
    assertThat(Cli.beacon("send", "track", "--user-id", "u", "--event", "E", "--endpoint", uri,
        "--write-key-file", Cli.keyFile(dir, "k").toString()).exit()).isZero();

    child.process().destroy(); // SIGTERM, as Ctrl-C: the shutdown hooks run
    Cli.Run r = child.await(java.time.Duration.ofMinutes(2));

    assertThat(r.out()).contains("stopped: 1 request(s), 1 message(s) (1 distinct), 0 duplicate(s), 0 rejected");
    assertThat(Files.readAllLines(file)).hasSize(1);
  }

  @Test
  void countOnlyCannotWriteMessages() {
    Cli.Run r = Cli.beacon("collect", "--count-only", "--out", dir.resolve("x.ndjson").toString(), "--duration", "PT1S");

    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).isEqualTo("beacon: --count-only does not parse messages, so it cannot write them to --out");
  }

  @Test
  void aPortInUseIsOneClearLine() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Cli.Run r = Cli.beacon("collect", "--port", Integer.toString(taken.getLocalPort()), "--duration", "PT1S");

      assertThat(r.exit()).isEqualTo(ExitCodes.FATAL);
      assertThat(r.err()).startsWith("beacon: cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("\tat ");
    }
  }

  @Test
  void tlsServesHttpsPrintsTheFingerprintAndWritesTheCa() throws Exception {
    Path ca = dir.resolve("ca.pem");
    StringWriter out = new StringWriter();
    Running running = start(out, "--tls", "--tls-ca-out", ca.toString(), "--quiet");
    Pattern https = Pattern.compile("collecting on (https://\\S+) ");
    String uri = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (uri == null && System.nanoTime() < deadline) {
      Matcher m = https.matcher(out.toString());
      uri = m.find() ? m.group(1) : null;
      Thread.sleep(10);
    }
    assertThat(uri).as("printed https URI in: " + out).isNotNull();

    java.security.cert.Certificate caCert;
    try (java.io.InputStream in = Files.newInputStream(ca)) {
      caCert = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", caCert);
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(tls).build();
    // As a raw HTTP client would send it: the key in the body, no context.library, the legacy path.
    String body = "{\"writeKey\":\"k\",\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}]}";
    java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(uri + "/v1/import")).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    byte[] served = r.sslSession().orElseThrow().getPeerCertificates()[0].getEncoded();
    String fingerprint = java.util.HexFormat.ofDelimiter(":").withUpperCase()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(served));

    assertThat(running.stop()).isZero();
    assertThat(out.toString()).contains("TLS: certificate SHA-256 fingerprint " + fingerprint)
        .contains("127.0.0.1, localhost")
        .contains("stopped: 1 request(s), 1 message(s)")
        .contains("warnings: {no context.library=1}");
    assertThat(Files.readString(ca)).startsWith("-----BEGIN CERTIFICATE-----").doesNotContain("PRIVATE");
  }

  @Test
  void strictRefusesAMessageWithoutContextLibrary() throws Exception {
    StringWriter out = new StringWriter();
    Running running = start(out, "--strict", "--quiet");
    String uri = awaitUri(out, running.exit());
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(uri + "/v1/batch"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("k:".getBytes()))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}]}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("context.library");
    assertThat(running.stop()).isZero();
    assertThat(out.toString()).contains("1 rejected");
  }

  @Test
  void servesABrowserPageOnAnotherOriginAsAnalyticsJsCallsIt() throws Exception {
    StringWriter out = new StringWriter();
    Running running = start(out, "--allow-origin", "http://localhost:3000");
    String uri = awaitUri(out, running.exit());
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> preflight = (path, origin) -> {
      try {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(uri + path))
            .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
            .header("Access-Control-Request-Method", "POST").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };
    java.net.http.HttpResponse<String> allowed = preflight.apply("/v1/t", "http://localhost:3000");
    java.net.http.HttpResponse<String> other = preflight.apply("/v1/t", "http://localhost:4000");
    java.net.http.HttpResponse<String> track = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(uri + "/v1/t")).header("Content-Type", "text/plain").header("Origin", "http://localhost:3000")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\":\"track\",\"event\":\"Clicked\","
            + "\"anonymousId\":\"a1\",\"writeKey\":\"browser-key\",\"context\":{\"library\":"
            + "{\"name\":\"analytics.js\",\"version\":\"npm:next-1.84.3\"}}}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(allowed.statusCode()).isEqualTo(204);
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:3000");
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(track.statusCode()).as(track.body()).isEqualTo(200);
    assertThat(track.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:3000");
    assertThat(running.stop()).isZero();
    assertThat(out.toString()).contains("/v1/t: 1 message(s) {Clicked=1}").doesNotContain("browser-key");
  }

  @Test
  void allowOriginTakesOnlyOrigins() {
    Cli.Run r = Cli.beacon("collect", "--allow-origin", "http://localhost:3000/app", "--duration", "PT1S");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--allow-origin", "http://localhost:3000/app");
  }

  @Test
  void tlsCaOutNeedsTls() {
    Cli.Run r = Cli.beacon("collect", "--tls-ca-out", dir.resolve("ca.pem").toString(), "--duration", "PT1S");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--tls-ca-out needs --tls");
  }

  @Test
  void durationStopsItAndPrintsTheSummary() {
    Cli.Run r = Cli.beacon("collect", "--duration", "PT0.2S", "--quiet");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("collecting on http://127.0.0.1:")
        .contains("stopped: 0 request(s), 0 message(s) (0 distinct), 0 duplicate(s), 0 rejected");
  }
}
