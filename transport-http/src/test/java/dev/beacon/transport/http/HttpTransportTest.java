package dev.beacon.transport.http;

import static dev.beacon.transport.http.Fixtures.KEY;
import static dev.beacon.transport.http.Fixtures.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.Identify;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.internal.Library;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.testkit.BeaconAssertions;
import dev.beacon.testkit.CollectorExtension;
import dev.beacon.testkit.ReceivedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What goes on the wire, discovery, settings, the rate cap and closing. */
class HttpTransportTest {
  @RegisterExtension
  final CollectorExtension collector = new CollectorExtension(b -> b.writeKey(KEY));

  private static Batch oneTrack() {
    return Batch.of(List.of(Track.builder("Header Check").userId("u1").build()));
  }

  @Test
  void postsToTheBatchEndpointWithTheContractHeaders() throws Exception {
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(collector.uri()).build()) {
      assertThat(t.send(oneTrack()).get(20, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
      assertThat(t.send(oneTrack().withRetryCount(2)).get(20, TimeUnit.SECONDS).outcome())
          .isEqualTo(SendResult.Outcome.DELIVERED);
    }
    List<ReceivedRequest> reqs = collector.server().requests();
    assertThat(reqs).hasSize(2).allSatisfy(r -> {
      assertThat(r.path()).isEqualTo("/v1/batch");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.authorized()).isTrue();
      assertThat(r.contentType()).isEqualTo("application/json");
      assertThat(r.contentEncoding()).isEqualTo("gzip");
      assertThat(r.userAgent()).isEqualTo("beacon-java/" + Library.VERSION);
      assertThat(r.bodyBytes()).isLessThan(r.uncompressedBytes());
    });
    assertThat(reqs).extracting(ReceivedRequest::retryCount).containsExactly(0, 2);
  }

  @Test
  void sendsPlainJsonWhenGzipIsOff() throws Exception {
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(collector.uri()).gzip(false).build()) {
      assertThat(t.send(oneTrack()).get(20, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
    }
    ReceivedRequest r = collector.server().requests().get(0);
    assertThat(r.contentEncoding()).isNull();
    assertThat(r.bodyBytes()).isEqualTo(r.uncompressedBytes());
  }

  @Test
  void isFoundThroughServiceLoaderAndUsesTheClientsThreadsAndUserAgent() throws Exception {
    Analytics a = Analytics.builder(KEY).endpoint(collector.uri()).transportName("http").shutdownHook(false)
        .flushAt(1).build();
    a.identify("user-1", null);
    a.flush(WAIT);
    assertThat(Fixtures.beaconThreads()).anyMatch(n -> n.matches("beacon-\\d+-transport-\\d+"));
    a.close(WAIT);
    Stats s = Fixtures.assertConserved(a);
    assertThat(s.delivered()).isEqualTo(1);
    BeaconAssertions.assertThat(collector.server()).hasIdentified("user-1");
    assertThat(collector.server().requests().get(0).userAgent()).startsWith("beacon-java/");
    Fixtures.assertNoBeaconThreadLeft();
  }

  @Test
  void keepsEachUsersOrderWithOneRequestInFlight() {
    Fixtures.Client c = new Fixtures.Client(HttpTransport.builder(KEY).endpoint(collector.uri()).build(),
        Fixtures.fastRetries().build(), 7);
    collector.server().failRandomly(0.3, dev.beacon.testkit.ServerFault.status(503));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Identify m = Identify.builder().userId("same-user").traits(java.util.Map.of("i", i)).build();
      c.analytics.enqueue(m);
      ids.add(m.messageId());
    }
    Stats s = c.closeAndCheck();
    assertThat(s.delivered()).isEqualTo(200);
    assertThat(collector.server().messages()).extracting(m -> m.messageId()).containsExactlyElementsOf(ids);
  }

  @Test
  void capsTheRequestRateWithoutBlockingTheCaller() throws Exception {
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(collector.uri()).maxRequestsPerSecond(20)
        .maxConcurrentRequests(8).build()) {
      // Warm up the connection, so that the first measured request does not pay for it.
      assertThat(t.send(oneTrack()).get(20, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
      collector.server().reset();
      List<CompletableFuture<SendResult>> fs = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 6; i++) {
        fs.add(t.send(oneTrack()));
      }
      long sendMillis = (System.nanoTime() - start) / 1_000_000;
      for (CompletableFuture<SendResult> f : fs) {
        assertThat(f.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
      }
      long totalMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(sendMillis).as("send() returns at once").isLessThan(200);
      // Six requests at 20/s: the last one starts 250 ms after the first.
      assertThat(totalMillis).isGreaterThanOrEqualTo(200);
      List<ReceivedRequest> reqs = collector.server().requests();
      long spread = reqs.get(reqs.size() - 1).receivedNanos() - reqs.get(0).receivedNanos();
      assertThat(spread / 1_000_000).isGreaterThanOrEqualTo(200);
    }
  }

  @Test
  void closeCompletesAttemptsStillInFlightAndLeavesNoThread() throws Exception {
    collector.server().failNext(1, dev.beacon.testkit.ServerFault.delay(Duration.ofSeconds(3)));
    HttpTransport t = HttpTransport.builder(KEY).endpoint(collector.uri()).build();
    CompletableFuture<SendResult> f = t.send(oneTrack());
    Thread.sleep(100);
    long start = System.nanoTime();
    t.close();
    t.close();
    SendResult r = f.get(5, TimeUnit.SECONDS);
    assertThat(r.outcome()).isEqualTo(SendResult.Outcome.RETRYABLE);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_500);
    assertThat(t.send(oneTrack()).get(1, TimeUnit.SECONDS).detail()).isEqualTo("transport closed");
    Fixtures.assertNoBeaconThreadLeft();
    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .noneMatch(n -> n.startsWith("httpclient-") || n.startsWith("Scheduled-executor"));
  }

  @Test
  void sendsThroughAnHttpProxy() throws Exception {
    // The collector plays the proxy: a proxied plaintext request carries the absolute target URI,
    // and nothing listens on the target itself.
    java.net.URI target = java.net.URI.create("http://localhost:9");
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(target)
        .proxy("127.0.0.1", collector.server().port()).build()) {
      assertThat(t.toString()).contains("proxy=127.0.0.1:" + collector.server().port());
      assertThat(t.send(oneTrack()).get(20, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
    }
    assertThat(collector.server().messages()).hasSize(1);
  }

  @Test
  void usesASuppliedClientAndLeavesItOpen() throws Exception {
    try (org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient own =
        org.apache.hc.client5.http.impl.async.HttpAsyncClients.createDefault()) {
      HttpTransport t = HttpTransport.builder(KEY).endpoint(collector.uri()).httpClient(own).build();
      assertThat(t.send(oneTrack()).get(20, TimeUnit.SECONDS).outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
      t.close();
      assertThat(own.getStatus()).isEqualTo(org.apache.hc.core5.reactor.IOReactorStatus.ACTIVE);
      assertThatThrownBy(() -> HttpTransport.builder(KEY).httpClient(own).proxy("p", 8080).build())
          .hasMessageContaining("proxy cannot be combined with httpClient");
    }
    assertThat(collector.server().messages()).hasSize(1);
  }

  @Test
  void validatesEverySettingAtBuildNamingIt() {
    assertThatThrownBy(() -> HttpTransport.builder(" ")).hasMessageContaining("writeKey");
    assertThatThrownBy(() -> HttpTransport.builder(KEY).connectTimeout(Duration.ZERO).build())
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> HttpTransport.builder(KEY).responseTimeout(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("responseTimeout");
    assertThatThrownBy(() -> HttpTransport.builder(KEY).maxConcurrentRequests(0).build())
        .hasMessageContaining("maxConcurrentRequests");
    assertThatThrownBy(() -> HttpTransport.builder(KEY).maxRequestsPerSecond(-1).build())
        .hasMessageContaining("maxRequestsPerSecond");
    assertThatThrownBy(() -> HttpTransport.builder(KEY).gzipLevel(10).build()).hasMessageContaining("gzipLevel");
    assertThatThrownBy(() -> HttpTransport.builder(KEY).proxy("proxy", 0).build()).hasMessageContaining("port");
    assertThatThrownBy(() -> HttpTransport.builder(KEY).proxyCredentials("u", "p".toCharArray()).build())
        .hasMessageContaining("proxy");
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    try (HttpTransport t = HttpTransport.builder(KEY).build()) {
      assertThat(t.batchUri()).hasToString("https://api.segment.io/v1/batch");
      assertThat(t.maxConcurrentRequests()).isEqualTo(1);
      assertThat(t.attemptTimeout()).isEqualTo(Duration.ofSeconds(10 + 2 * 15 + 5));
      assertThat(t.toString()).contains("gzip=true", "connectTimeout=PT10S", "responseTimeout=PT15S",
          "writeKey=<redacted>");
    }
    try (HttpTransport eu = HttpTransport.builder(KEY).region(dev.beacon.Region.EU).build()) {
      assertThat(eu.batchUri()).hasToString("https://events.eu1.segmentapis.com/v1/batch");
    }
  }
}
